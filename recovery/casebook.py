"""Cases and what came of them: opening or joining a failure's case, and recording each
outcome as the case's recovery moment (a later outcome revises the moment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from herstel.clock import Clock
from herstel.money import Money
from journeys.ledger import GestureLedger
from journeys.moments import MomentStore
from recovery.cases import CaseRecord, CaseState, CaseStore, Failure, Where, case_key
from recovery.diagnosis import Diagnosis
from recovery.moments import Conversation, Outcome, recovery_moment
from recovery.proposal import Complaint, Proposal, affected_line

_STATE = {
    "facts": CaseState.CLOSED,
    "offered": CaseState.OFFERED,
    "declined": CaseState.WITH_PERSON,
    "gesture": CaseState.GRANTED,
    "closed": CaseState.CLOSED,
}


@dataclass(frozen=True, slots=True)
class GivenBefore:
    """A gesture the case already got (reserved or issued in the ledger)."""

    kind: str
    amount: Money
    ref: str | None  # the voucher code, replacement order or refund reference
    decided_by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as a conversation finds it after the customer is verified."""

    case: CaseRecord
    joined: bool  # it existed before this conversation (another chat, another channel)
    given: tuple[GivenBefore, ...]

    @property
    def settled(self) -> bool:
        """Compensated, or closed by a person: a conversation only tells where it stands."""
        closed_by_person = self.case.state is CaseState.CLOSED and self.case.closed_by not in (
            None,
            "bot",
        )
        return bool(self.given) or closed_by_person

    @property
    def with_person(self) -> bool:
        return self.case.state is CaseState.WITH_PERSON


class CaseBook:
    def __init__(
        self,
        cases: CaseStore,
        ledger: GestureLedger,
        clock: Clock,
        moments: MomentStore | None = None,
    ) -> None:
        self._cases = cases
        self._ledger = ledger
        self._clock = clock
        self._moments = moments

    async def open(self, complaint: Complaint, diagnosis: Diagnosis, where: Where) -> CaseView:
        """The case of this failure, opened or joined; it now points at this conversation."""
        order = diagnosis.order
        assert order is not None, "a case needs a verified order"
        line = affected_line(order, complaint)
        failure = Failure(
            case_key(order.number, complaint.type, line),
            order.number,
            order.customer_id,
            complaint.type,
            line.sku,
        )
        record, joined = await self._cases.open(failure, where, self._clock.now())
        given = await self.given(record.case_id) if joined else ()
        return CaseView(record, joined, given)

    async def given(self, case_id: str) -> tuple[GivenBefore, ...]:
        rows = await self._ledger.case_gestures(case_id)
        return tuple(
            GivenBefore(
                r.kind, Money(r.amount_minor, r.currency), r.result_ref, r.decided_by, r.created_at
            )
            for r in rows
        )

    async def handed_over(self, case_id: str) -> None:
        await self._cases.move(case_id, CaseState.WITH_PERSON, self._clock.now())

    async def came_to(
        self,
        case_id: str,
        complaint: Complaint,
        diagnosis: Diagnosis,
        proposal: Proposal,
        outcome: Outcome,
        conversation: Conversation,
    ) -> None:
        """Move the case on and record what came of it as its recovery moment."""
        now = self._clock.now()
        closing = outcome.what in ("closed", "facts")
        record = await self._cases.move(
            case_id,
            _STATE[outcome.what],
            now,
            closed_by=outcome.decided_by if closing else None,
            reason=outcome.reason if closing else None,
            new_moment=True,
        )
        if self._moments is None or diagnosis.order is None:
            return
        revision = record.moment_revision if record is not None else 0
        moment = recovery_moment(
            case_id, complaint, diagnosis, proposal, outcome, conversation, now, revision
        )
        await self._moments.record(moment)

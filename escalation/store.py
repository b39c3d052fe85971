"""Escalated cases in the journey store, changed with optimistic concurrency.

Every change reads the case, applies a pure function and writes it back only if nobody
changed it meanwhile (a version column); the loser re-reads and re-applies. So two agents
clicking at once never both win a claim, and a decision is recorded once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from escalation.card_queue import GRACE, CardQueue
from escalation.model import (
    Case,
    CaseFile,
    CaseState,
    Status,
    case_file_from_json,
    case_state_from_json,
    to_json,
)
from herstel.clock import Clock
from journeys.db import insert_if_absent
from journeys.tables import EscalationRow

MAX_ATTEMPTS = 20
ACTIVE = (Status.OPEN, Status.CLAIMED, Status.TAKEN_OVER)


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Stored:
    case: Case
    conversation_id: str  # the channel's sender id: to reach the customer, never to show


Change = Callable[[Case], Case | None]  # None: leave the case as it is


class EscalationStore:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def open(self, file: CaseFile, conversation_id: str) -> tuple[Stored, bool]:
        """Store a new case; an active case with the same id is returned as it is.

        Returns the stored case and whether it was new.
        """
        now = self._clock.now()
        state = CaseState()
        values = {
            "case_id": file.case_id,
            "conversation_id": conversation_id,
            "status": state.status.value,
            "owner": None,
            "version": 1,
            "file": json.dumps(to_json(file)),
            "state": json.dumps(to_json(state)),
            "opened_at": now,
            "updated_at": now,
            # Stored with the case, so the card is never lost on its way (card_queue.py).
            "card_due_at": now + GRACE,
        }
        statement = insert_if_absent(self._engine.dialect.name, EscalationRow.__table__, "case_id")
        async with self._sessions.begin() as session:
            result = await session.execute(statement, values)
        if result.rowcount:
            return Stored(Case(file, state), conversation_id), True
        existing = await self.get(file.case_id)
        if existing.case.state.status is Status.RESOLVED:
            # The same problem again after a decision: a fresh case file, state reset.
            reopened = await self.change(file.case_id, lambda _: Case(file, CaseState()))
            await CardQueue(self._engine, self._clock).hold(file.case_id)  # a new card
            return reopened, True
        return existing, False

    async def get(self, case_id: str) -> Stored:
        async with self._sessions() as session:
            row = await session.get(EscalationRow, case_id)
        if row is None:
            raise CaseNotFound(case_id)
        return _stored(row)

    async def active_for(self, conversation_id: str) -> Stored | None:
        """The conversation's case an agent is still working on, if any."""
        query = (
            select(EscalationRow)
            .where(EscalationRow.conversation_id == conversation_id)
            .where(EscalationRow.status.in_([s.value for s in ACTIVE]))
            .order_by(EscalationRow.opened_at.desc())
            .limit(1)
        )
        async with self._sessions() as session:
            row = (await session.scalars(query)).first()
        return _stored(row) if row else None

    async def follow(self, case_id: str, conversation_id: str) -> bool:
        """The customer is on another conversation now (a new chat, another channel): the
        case's messages and its decision go there. False: no active case to follow."""
        statement = (
            update(EscalationRow)
            .where(EscalationRow.case_id == case_id)
            .where(EscalationRow.status.in_([s.value for s in ACTIVE]))
            .values(conversation_id=conversation_id, updated_at=self._clock.now())
        )
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
        return bool(result.rowcount)

    async def latest(self, limit: int = 50, status: Status | None = None) -> list[Stored]:
        query = select(EscalationRow).order_by(EscalationRow.opened_at.desc()).limit(limit)
        if status is not None:
            query = query.where(EscalationRow.status == status.value)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [_stored(row) for row in rows]

    async def change(self, case_id: str, change: Change) -> Stored:
        """Apply change to the current case and store it, retrying when someone was faster."""
        for _ in range(MAX_ATTEMPTS):
            async with self._sessions() as session:
                row = await session.get(EscalationRow, case_id)
            if row is None:
                raise CaseNotFound(case_id)
            current = _stored(row)
            changed = change(current.case)
            if changed is None or changed == current.case:
                return current
            statement = (
                update(EscalationRow)
                .where(EscalationRow.case_id == case_id, EscalationRow.version == row.version)
                .values(
                    status=changed.state.status.value,
                    owner=changed.state.owner,
                    version=row.version + 1,
                    file=json.dumps(to_json(changed.file)),
                    state=json.dumps(to_json(changed.state)),
                    updated_at=self._clock.now(),
                )
            )
            async with self._sessions.begin() as session:
                result = await session.execute(statement)
            if result.rowcount:
                return Stored(changed, current.conversation_id)
        raise RuntimeError(f"case {case_id}: too many concurrent changes")


def _stored(row: EscalationRow) -> Stored:
    file = case_file_from_json(json.loads(row.file))
    state = case_state_from_json(json.loads(row.state))
    return Stored(Case(file, state), row.conversation_id)

"""The case store on the journey store: one row per failure, opened once, joined by every
conversation about it (recovery/cases.py says what a case is)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from journeys.db import READ_ONLY, UTCDateTime, insert_if_absent
from journeys.tables import CaseRow
from policies import ComplaintType
from recovery.cases import CaseRecord, CaseState, Failure, Where

CASES = CaseRow.__table__
_C = CASES.c
_GRANTED = CaseState.GRANTED.value
# A granted case stays granted: closing it or offering again records who and why, not a state.
_KEEPS_GRANTED = (CaseState.OPEN.value, CaseState.OFFERED.value, CaseState.CLOSED.value)
_GET = select(CASES).where(_C.case_id == bindparam("b_id"))
_JOIN = (
    update(CASES)
    .where(_C.case_id == bindparam("b_id"))
    .values(
        conversation_id=bindparam("b_conversation"),
        channel=bindparam("b_channel"),
        language=bindparam("b_language"),
        conversations=_C.conversations
        + case((_C.conversation_id == bindparam("b_conversation"), 0), else_=1),
        updated_at=bindparam("b_now", type_=UTCDateTime()),
    )
)
_COMPLAINTS = select(func.count()).where(
    _C.customer_id == bindparam("b_customer"),
    _C.opened_at > bindparam("b_since", type_=UTCDateTime()),
    _C.case_id != bindparam("b_id"),
)


class SqlCaseStore:
    """Implements recovery.cases.CaseStore."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def open(self, failure: Failure, where: Where, now: datetime) -> tuple[CaseRecord, bool]:
        values = {
            "case_id": failure.case_id,
            "order_number": failure.order_number,
            "customer_id": failure.customer_id,
            "complaint_type": failure.complaint.value,
            "line_sku": failure.line_sku,
            "state": CaseState.OPEN.value,
            "conversation_id": where.conversation_id,
            "channel": where.channel,
            "language": where.language,
            "conversations": 1,
            "opened_at": now,
            "updated_at": now,
            "closed_by": None,
            "close_reason": None,
            "moment_revision": 0,
        }
        insert = insert_if_absent(self._engine.dialect.name, CASES, "case_id")
        async with self._engine.begin() as conn:
            created = (await conn.execute(insert, values)).rowcount == 1
            if not created:
                params = {
                    "b_id": failure.case_id,
                    "b_conversation": where.conversation_id,
                    "b_channel": where.channel,
                    "b_language": where.language,
                    "b_now": now,
                }
                await conn.execute(_JOIN, params)
            row = (await conn.execute(_GET, {"b_id": failure.case_id})).one()
        return record(row), not created

    async def get(self, case_id: str) -> CaseRecord | None:
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**{READ_ONLY: True})
            row = (await conn.execute(_GET, {"b_id": case_id})).one_or_none()
        return record(row) if row is not None else None

    async def move(
        self,
        case_id: str,
        state: CaseState,
        now: datetime,
        *,
        closed_by: str | None = None,
        reason: str | None = None,
        new_moment: bool = False,
    ) -> CaseRecord | None:
        keep = state.value in _KEEPS_GRANTED
        values: dict[str, Any] = {
            "state": case((_C.state == _GRANTED, _GRANTED), else_=state.value)
            if keep
            else state.value,
            "updated_at": now,
        }
        if closed_by is not None:
            values |= {"closed_by": closed_by, "close_reason": reason}
        if new_moment:
            values["moment_revision"] = _C.moment_revision + 1
        async with self._engine.begin() as conn:
            await conn.execute(update(CASES).where(_C.case_id == case_id).values(values))
            row = (await conn.execute(_GET, {"b_id": case_id})).one_or_none()
        return record(row) if row is not None else None

    async def complaints(self, customer_id: str, since: datetime, other_than: str) -> int:
        params = {"b_customer": customer_id, "b_since": since, "b_id": other_than}
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**{READ_ONLY: True})
            return int((await conn.execute(_COMPLAINTS, params)).scalar_one())


def record(row: Row[Any]) -> CaseRecord:
    return CaseRecord(
        case_id=row.case_id,
        order_number=row.order_number,
        customer_id=row.customer_id,
        complaint=ComplaintType(row.complaint_type),
        line_sku=row.line_sku,
        state=CaseState(row.state),
        where=Where(row.conversation_id, row.channel, row.language),
        conversations=row.conversations,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        closed_by=row.closed_by,
        close_reason=row.close_reason,
        moment_revision=row.moment_revision,
    )

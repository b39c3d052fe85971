"""Limits that count rather than add up, checked under a lock where money is reserved.

A case gets one decision, a customer at most so many treats a month, and a rule may apply
only up to so many earlier complaints. Each check takes a lock row first (the case's or the
customer's, in budget_counters: SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer),
then counts what is committed, this reservation included: of two racing reservations the
second counts the first, so both cannot pass a limit only one of them fits in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from journeys.counters import lock_row
from journeys.db import UTCDateTime
from journeys.errors import CaseDecided, CountExceeded
from journeys.periods import month_start, window_start
from journeys.records import LIVE_STATES, ReservationRequest
from journeys.tables import CaseRow, GestureRow

_G = GestureRow.__table__.c
_CASES = CaseRow.__table__.c
_SINCE = bindparam("b_since", type_=UTCDateTime())
_OTHER_DECISIONS = select(func.coalesce(_G.decision, _G.id)).where(
    _G.case_id == bindparam("b_case"),
    _G.state.in_(LIVE_STATES),
    _G.id != bindparam("b_own"),
    func.coalesce(_G.decision, _G.id) != bindparam("b_decision"),
)
_TREATS = select(func.count()).where(
    _G.customer_id == bindparam("b_customer"),
    _G.kind == "treat",
    _G.state.in_(LIVE_STATES),
    _G.created_at >= _SINCE,
)
_COMPLAINTS = select(func.count()).where(
    _CASES.customer_id == bindparam("b_customer"),
    _CASES.opened_at > _SINCE,
    _CASES.case_id != bindparam("b_case"),
)


def case_lock(request: ReservationRequest) -> str | None:
    return f"lock:case:{request.case_id}" if request.decision else None


def customer_lock(request: ReservationRequest) -> str | None:
    counted = [c for c in request.counts if c.counted != "treats_this_month" or _is_treat(request)]
    return f"lock:customer:{request.customer_id}" if counted else None


def _is_treat(request: ReservationRequest) -> bool:
    return request.kind == "treat"


async def one_decision(
    conn: AsyncConnection, request: ReservationRequest, own_id: str, now: datetime
) -> None:
    """Under the case's lock: refuse a decision other than the one the case already has."""
    key = case_lock(request)
    assert key is not None
    await lock_row(conn, key, now)
    params = {"b_case": request.case_id, "b_own": own_id, "b_decision": request.decision}
    other = (await conn.execute(_OTHER_DECISIONS.limit(1), params)).scalar_one_or_none()
    if other is not None:
        raise CaseDecided(request.case_id, str(other))


async def within_counts(conn: AsyncConnection, request: ReservationRequest, now: datetime) -> None:
    """Under the customer's lock: every count limit of the request holds, this one included."""
    key = customer_lock(request)
    assert key is not None
    await lock_row(conn, key, now)
    for limit in request.counts:
        if limit.counted == "treats_this_month":
            if not _is_treat(request):
                continue
            query, since = _TREATS, month_start(now)
        else:
            query, since = _COMPLAINTS, window_start(now, limit.period_days or 0)
        params = {"b_customer": request.customer_id, "b_case": request.case_id, "b_since": since}
        found = int((await conn.execute(query, params)).scalar_one())
        # A complaint count leaves this case out; a treat count holds this treat's own row.
        if found > limit.most:
            raise CountExceeded(limit.counted, limit.most, found)

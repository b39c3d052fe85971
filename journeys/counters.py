"""Budget counters: guarded, race-safe charges and give-backs inside the caller's transaction."""

# Day and month budgets are one row per period (key "day:2026-11-22:all"). A charge is a single
# conditional UPDATE (spent + amount <= limit): on PostgreSQL the row lock makes a concurrent
# updater wait and re-check the condition on the committed value; on SQLite every transaction
# holds the one write lock from BEGIN IMMEDIATE. Either way two charges can never both see room
# that only one of them fits in.
#
# A per-customer cap over a rolling window cannot be a plain counter: old gestures drop out as
# time passes. Its row (key "customer:cus_1:30d:all") serves as a per-customer lock: we lock it
# (SELECT ... FOR UPDATE on PostgreSQL; SQLite is already single-writer), then store the sum of
# the customer's live ledger rows in the window, which include our own just-inserted row. Under
# READ COMMITTED that second statement sees everything committed before it, and whoever held the
# lock committed before releasing it, so the sum is exact; over the limit, we roll back.
#
# Everything given on one order is kept the same way, as the sum of the order's live rows under
# the order's row lock (no window): gestures from before the counter existed count too.
#
# Statements are built once with bind parameters: building them per call cost more than the
# database round trips did.

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herstel.money import Money
from journeys.db import UTCDateTime, insert_if_absent
from journeys.errors import BudgetExceeded, LedgerCurrencyMismatch, LedgerError
from journeys.periods import CounterSpec, window_start
from journeys.records import LIVE_STATES
from journeys.tables import CounterRow, GestureRow

_C = CounterRow.__table__.c
_G = GestureRow.__table__.c
_NOW = bindparam("b_now", type_=UTCDateTime())
_SINCE = bindparam("b_since", type_=UTCDateTime())

_CHARGE = (
    update(CounterRow.__table__)
    .where(
        _C.key == bindparam("b_key"),
        _C.currency == bindparam("b_currency"),
        _C.spent_minor + bindparam("b_amount") <= bindparam("b_limit"),
    )
    .values(
        spent_minor=_C.spent_minor + bindparam("b_amount"),
        limit_minor=bindparam("b_limit"),  # the limit of the mandate that decided, if it fits
        updated_at=_NOW,
    )
)
_GIVE_BACK = (
    update(CounterRow.__table__)
    .where(_C.key == bindparam("b_key"), _C.spent_minor >= bindparam("b_amount"))
    .values(spent_minor=_C.spent_minor - bindparam("b_amount"), updated_at=_NOW)
)
_LOCK = select(CounterRow.__table__).where(_C.key == bindparam("b_key")).with_for_update()


def _window_sum(by_kind: bool) -> Any:
    query = select(func.coalesce(func.sum(_G.amount_minor), 0)).where(
        _G.customer_id == bindparam("b_customer"),
        _G.state.in_(LIVE_STATES),
        _G.created_at > _SINCE,
        _G.currency == bindparam("b_currency"),
    )
    return query.where(_G.kind == bindparam("b_kind")) if by_kind else query


_WINDOW_SUM = {by_kind: _window_sum(by_kind) for by_kind in (False, True)}
_ORDER_SUM = select(func.coalesce(func.sum(_G.amount_minor), 0)).where(
    _G.order_number == bindparam("b_order"),
    _G.state.in_(LIVE_STATES),
    _G.currency == bindparam("b_currency"),
)
_STORE_ORDER = (
    update(CounterRow.__table__)
    .where(_C.key == bindparam("b_key"))
    .values(spent_minor=bindparam("b_spent"), limit_minor=bindparam("b_limit"), updated_at=_NOW)
)
_STORE_WINDOW = {
    by_kind: update(CounterRow.__table__)
    .where(_C.key == bindparam("b_key"))
    .values(
        spent_minor=_window_sum(by_kind).scalar_subquery(),
        limit_minor=bindparam("b_limit"),
        period_start=_SINCE,
        updated_at=_NOW,
    )
    .returning(_C.spent_minor)
    for by_kind in (False, True)
}


async def charge(
    conn: AsyncConnection,
    spec: CounterSpec,
    amount: Money,
    customer_id: str,
    now: datetime,
    order_number: str = "",
) -> None:
    """Add amount to the counter of spec, or raise BudgetExceeded (the caller rolls back)."""
    if spec.scope == "order":
        row = await _locked(conn, spec, customer_id, now)
        _same_currency(row.currency, amount)
        total = await _order_total(conn, order_number, row.currency, spec.kind)
        if total > spec.limit.minor:
            raise BudgetExceeded(
                spec.key, spec.limit, Money(total - amount.minor, row.currency), amount
            )
        params = {"b_key": spec.key, "b_spent": total, "b_limit": spec.limit.minor, "b_now": now}
        await conn.execute(_STORE_ORDER, params)
        return
    if spec.rolling:
        row = await _locked(conn, spec, customer_id, now)
        _same_currency(row.currency, amount)
        spent = await _store_window(conn, row, customer_id, spec.period_start, now, spec.limit)
        if spent > spec.limit.minor:
            raise BudgetExceeded(
                spec.key, spec.limit, Money(spent - amount.minor, row.currency), amount
            )
        return
    params = {
        "b_key": spec.key,
        "b_currency": amount.currency,
        "b_amount": amount.minor,
        "b_limit": spec.limit.minor,
        "b_now": now,
    }
    if (await conn.execute(_CHARGE, params)).rowcount == 1:
        return  # the usual case: one statement
    await _ensure(conn, spec, customer_id, now)
    if (await conn.execute(_CHARGE, params)).rowcount != 1:
        row = (await conn.execute(_LOCK, {"b_key": spec.key})).one()
        _same_currency(row.currency, amount)
        raise BudgetExceeded(spec.key, spec.limit, Money(row.spent_minor, row.currency), amount)


async def give_back(
    conn: AsyncConnection,
    keys: list[str],
    gesture: Any,
    now: datetime,
) -> None:
    """Return a released gesture's amount to the counters it was charged to, in key order."""
    customer_id, amount_minor = gesture.customer_id, gesture.amount_minor
    for key in sorted(keys):
        row = (await conn.execute(_LOCK, {"b_key": key})).one_or_none()
        if row is None:
            raise LedgerError(f"no budget counter {key}")
        if row.scope == "order":
            total = await _order_total(conn, gesture.order_number, row.currency, row.kind)
            params = {"b_key": key, "b_spent": total, "b_limit": row.limit_minor, "b_now": now}
            await conn.execute(_STORE_ORDER, params)
            continue
        if row.scope == "customer_period":
            since = window_start(now, row.period_days)
            limit = Money(row.limit_minor, row.currency)
            await _store_window(conn, row, customer_id, since, now, limit)
            continue
        params = {"b_key": key, "b_amount": amount_minor, "b_now": now}
        if (await conn.execute(_GIVE_BACK, params)).rowcount != 1:
            raise LedgerError(f"counter {key} holds less than the gesture being released")


_TAKE_AGAIN = (
    update(CounterRow.__table__)
    .where(_C.key == bindparam("b_key"))
    .values(
        spent_minor=_C.spent_minor + bindparam("b_amount"),
        # Money the shop already gave is charged even past the limit: the counter then says
        # the budget is spent, and the next gesture is refused.
        limit_minor=case(
            (_C.spent_minor + bindparam("b_amount") > _C.limit_minor,
             _C.spent_minor + bindparam("b_amount")),
            else_=_C.limit_minor,
        ),
        updated_at=_NOW,
    )
)  # fmt: skip


async def take_again(conn: AsyncConnection, keys: list[str], gesture: Any, now: datetime) -> None:
    """Charge a released gesture the shop did carry out to the counters it was charged to
    before (reconcile), whatever their limits: the money is out, the ledger must say so."""
    for key in sorted(keys):
        row = (await conn.execute(_LOCK, {"b_key": key})).one_or_none()
        if row is None:
            raise LedgerError(f"no budget counter {key}")
        if row.scope == "customer_period":
            since = window_start(now, row.period_days)
            await _store_window(
                conn, row, gesture.customer_id, since, now, Money(row.limit_minor, row.currency)
            )
        elif row.scope == "order":
            total = await _order_total(conn, gesture.order_number, row.currency, row.kind)
            limit = max(row.limit_minor, total)
            params = {"b_key": key, "b_spent": total, "b_limit": limit, "b_now": now}
            await conn.execute(_STORE_ORDER, params)
        else:
            params = {"b_key": key, "b_amount": gesture.amount_minor, "b_now": now}
            await conn.execute(_TAKE_AGAIN, params)


async def window_spent(
    conn: AsyncConnection, customer_id: str, kind: str | None, since: datetime, currency: str
) -> int:
    """Minor units in the customer's live gestures created after since (all kinds if None)."""
    params = {"b_customer": customer_id, "b_since": since, "b_currency": currency, "b_kind": kind}
    return int((await conn.execute(_WINDOW_SUM[kind is not None], params)).scalar_one())


async def _order_total(
    conn: AsyncConnection, order_number: str, currency: str, kind: str | None
) -> int:
    """Minor units in the order's live gestures (of one kind, or all)."""
    query = _ORDER_SUM if kind is None else _ORDER_SUM.where(_G.kind == kind)
    params = {"b_order": order_number, "b_currency": currency}
    return int((await conn.execute(query, params)).scalar_one())


async def _locked(conn: AsyncConnection, spec: CounterSpec, customer_id: str, now: datetime) -> Any:
    """The counter row of spec, locked for the rest of the transaction; created if absent."""
    row = (await conn.execute(_LOCK, {"b_key": spec.key})).one_or_none()
    if row is None:
        await _ensure(conn, spec, customer_id, now)
        row = (await conn.execute(_LOCK, {"b_key": spec.key})).one()
    return row


async def _store_window(
    conn: AsyncConnection, row: Any, customer_id: str, since: datetime, now: datetime, limit: Money
) -> int:
    """Recompute a locked customer row from the ledger; returns the new sum."""
    params = {
        "b_key": row.key,
        "b_customer": customer_id,
        "b_since": since,
        "b_currency": row.currency,
        "b_kind": row.kind,
        "b_limit": limit.minor,
        "b_now": now,
    }
    result = await conn.execute(_STORE_WINDOW[row.kind is not None], params)
    return int(result.scalar_one())


async def _ensure(
    conn: AsyncConnection, spec: CounterSpec, customer_id: str, now: datetime
) -> None:
    """Create the counter row if it does not exist (a concurrent creator makes us wait)."""
    values = {
        "key": spec.key,
        "scope": spec.scope,
        "kind": spec.kind,
        "customer_id": customer_id if spec.rolling else None,
        "period_start": spec.period_start,
        "period_days": spec.period_days,
        "limit_minor": spec.limit.minor,
        "spent_minor": 0,
        "currency": spec.limit.currency,
        "updated_at": now,
    }
    await conn.execute(insert_if_absent(conn.dialect.name, CounterRow.__table__, "key"), values)


def _same_currency(counter_currency: str, amount: Money) -> None:
    if counter_currency != amount.currency:
        raise LedgerCurrencyMismatch(
            f"budget counter in {counter_currency}, gesture in {amount.currency}"
        )


async def lock_row(conn: AsyncConnection, key: str, now: datetime) -> None:
    """Hold a lock row (scope "lock", nothing spent) until the transaction ends."""
    if (await conn.execute(_LOCK, {"b_key": key})).one_or_none() is not None:
        return
    values = {
        "key": key,
        "scope": "lock",
        "kind": None,
        "customer_id": None,
        "period_start": now,
        "period_days": None,
        "limit_minor": 0,
        "spent_minor": 0,
        "currency": "EUR",
        "updated_at": now,
    }
    await conn.execute(insert_if_absent(conn.dialect.name, CounterRow.__table__, "key"), values)
    (await conn.execute(_LOCK, {"b_key": key})).one()

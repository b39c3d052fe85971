"""The gesture ledger: the one place where spending a budget is guarded in the database."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from herstel.clock import Clock
from herstel.money import Money
from journeys.counters import charge, give_back, take_again, window_spent
from journeys.db import READ_ONLY, insert_if_absent
from journeys.errors import LedgerCurrencyMismatch, LedgerError
from journeys.gestures import (
    LEDGER,
    by_id,
    by_key,
    move,
    new_row,
    replayed,
    reservation_from,
    revive,
    within_gesture_caps,
)
from journeys.guards import case_lock, customer_lock, one_decision, within_counts
from journeys.periods import CounterSpec, spec_for, specs_for_request
from journeys.records import (
    LIVE_STATES,
    BudgetLimit,
    BudgetLine,
    BudgetUsage,
    CustomerHistory,
    GestureState,
    KindHistory,
    Reservation,
    ReservationRequest,
)
from journeys.tables import CounterRow, GestureRow

_COUNTERS = CounterRow.__table__


class GestureLedger:
    """Reserve budget before handing out a gesture, then issue it or release it."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        # SQLite has one writer: queue this process's writers on a lock rather than have
        # SQLite's busy handler poll and sleep. Other processes still wait on the busy timeout.
        self._gate: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction: committed on success, rolled back on any error."""
        async with self._gate, self._engine.begin() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.connect() as conn:
            yield await conn.execution_options(**{READ_ONLY: True})

    async def reserve(self, request: ReservationRequest) -> Reservation:
        """Take the amount from every applicable budget and record the gesture, all or nothing.

        Every limit of the request is checked here, in one transaction, under the locks that
        make it race-safe: per gesture, per order, per customer window, day and month
        budgets, treats this month, the customer's complaints, one decision per case.
        A known idempotency key returns the reservation made the first time, spending
        nothing; a released one is reserved again, charged as a new one. Raises Refused
        (BudgetExceeded, CountExceeded, CaseDecided) when a limit says no.
        """
        now = self._clock.now().astimezone(UTC)
        specs = specs_for_request(request, now)
        within_gesture_caps(request)
        async with self._write() as conn:
            values = new_row(request, specs, now)
            # ON CONFLICT DO NOTHING: a twin with the same key in flight makes us wait for its
            # commit (PostgreSQL) instead of failing with a unique violation; then we read it.
            stmt = insert_if_absent(conn.dialect.name, LEDGER, "idempotency_key")
            if (await conn.execute(stmt, values)).rowcount != 1:
                existing = await by_key(conn, request.idempotency_key)
                if existing is None:  # cannot happen: a conflict means a committed row
                    raise LedgerError(f"reservation {request.idempotency_key} vanished; retry")
                known = replayed(existing, request)
                if known.state is not GestureState.RELEASED:
                    return known
                if not await revive(conn, known.id, values):  # a twin revived it first
                    return reservation_from((await by_id(conn, known.id))._mapping)
                values["id"] = known.id  # reserved again: charged below like a new one
            await self._guard(conn, request, specs, values["id"], now)
            return replace(reservation_from(values), new=True)

    async def _guard(
        self,
        conn: AsyncConnection,
        request: ReservationRequest,
        specs: list[CounterSpec],
        own_id: str,
        now: datetime,
    ) -> None:
        """Charge the counters and check the counted limits, taking every row lock in key
        order so that concurrent reservations cannot deadlock."""
        steps: list[tuple[str, Any]] = [(spec.key, spec) for spec in specs]
        if (key := case_lock(request)) is not None:
            steps.append((key, one_decision))
        if (key := customer_lock(request)) is not None:
            steps.append((key, within_counts))
        for _, step in sorted(steps, key=lambda s: s[0]):
            if step is one_decision:
                await one_decision(conn, request, own_id, now)
            elif step is within_counts:
                await within_counts(conn, request, now)
            else:
                await charge(
                    conn, step, request.amount, request.customer_id, now, request.order_number
                )

    async def issue(self, reservation_id: str, result_ref: str) -> Reservation:
        """Mark a reservation as handed out; issuing again with the same result_ref is a no-op.

        The reservation returned is `new` when this call issued it."""
        async with self._write() as conn:
            changed = await move(
                conn, reservation_id, GestureState.ISSUED, self._clock.now(), result_ref
            )
            row = await by_id(conn, reservation_id)
        if changed or (row.state == GestureState.ISSUED and row.result_ref == result_ref):
            return replace(reservation_from(row._mapping), new=changed)
        raise LedgerError(f"reservation {reservation_id} is {row.state}: cannot issue {result_ref}")

    async def release(self, reservation_id: str) -> Reservation:
        """Give an unissued reservation's budget back; releasing again gives back nothing."""
        now = self._clock.now()
        async with self._write() as conn:
            changed = await move(conn, reservation_id, GestureState.RELEASED, now)
            row = await by_id(conn, reservation_id)
            if changed:
                await give_back(conn, json.loads(row.budget_keys), row, now)
        if row.state != GestureState.RELEASED:
            raise LedgerError(f"reservation {reservation_id} is issued: it cannot be released")
        return reservation_from(row._mapping)

    async def restore(self, reservation_id: str, result_ref: str) -> Reservation:
        """A released gesture the shop did carry out after all: issued, and charged again to
        the budgets it was released from (reconcile's repair; past their limits if need be)."""
        now = self._clock.now()
        async with self._write() as conn:
            result = await conn.execute(
                update(LEDGER)
                .where(LEDGER.c.id == reservation_id, LEDGER.c.state == GestureState.RELEASED)
                .values(state=GestureState.ISSUED.value, result_ref=result_ref, updated_at=now)
            )
            row = await by_id(conn, reservation_id)
            if result.rowcount:
                await take_again(conn, json.loads(row.budget_keys), row, now)
        if row.state != GestureState.ISSUED:
            raise LedgerError(f"reservation {reservation_id} is {row.state}: cannot restore it")
        return replace(reservation_from(row._mapping), new=bool(result.rowcount))

    async def to_reconcile(
        self, *, reserved_before: datetime, changed_since: datetime
    ) -> list[Reservation]:
        """What reconcile compares with the shop: reservations still open since before
        reserved_before (a grant in flight is left alone), and the gestures issued or released
        since changed_since."""
        query = (
            select(LEDGER)
            .where(
                (LEDGER.c.state == GestureState.RESERVED.value)
                & (LEDGER.c.updated_at < reserved_before)
                | (LEDGER.c.state != GestureState.RESERVED.value)
                & (LEDGER.c.updated_at >= changed_since)
            )
            .order_by(LEDGER.c.created_at, LEDGER.c.id)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [reservation_from(r._mapping) for r in rows]

    async def get(self, reservation_id: str) -> Reservation:
        async with self._read() as conn:
            return reservation_from((await by_id(conn, reservation_id))._mapping)

    async def usage(
        self, now: datetime, limits: Sequence[BudgetLimit], customer_id: str | None = None
    ) -> BudgetUsage:
        """Spent per budget key at now; customer limits are reported only for a customer_id."""
        specs = [
            spec_for(limit, now, customer_id)
            for limit in limits
            if customer_id is not None or limit.scope != "customer_period"
        ]
        async with self._read() as conn:
            lines = [await _line(conn, spec, customer_id) for spec in specs]
        return BudgetUsage(at=now, lines={line.key: line for line in lines})

    async def customer_history(
        self, customer_id: str, since: datetime, currency: str = "EUR"
    ) -> CustomerHistory:
        """Count and money of the customer's live gestures created at or after since."""
        query = (
            select(
                GestureRow.kind,
                GestureRow.currency,
                func.count(),
                func.sum(GestureRow.amount_minor),
            )
            .where(
                GestureRow.customer_id == customer_id,
                GestureRow.state.in_(LIVE_STATES),
                GestureRow.created_at >= since,
            )
            .group_by(GestureRow.kind, GestureRow.currency)
        )
        async with self._read() as conn:
            groups = (await conn.execute(query)).all()
        by_kind: dict[str, KindHistory] = {}
        for kind, group_currency, count, total in groups:
            if group_currency != currency:
                raise LedgerCurrencyMismatch(f"{customer_id} has gestures in {group_currency}")
            by_kind[kind] = KindHistory(count, Money(int(total), currency))
        total_minor = sum(k.total.minor for k in by_kind.values())
        count = sum(k.count for k in by_kind.values())
        return CustomerHistory(customer_id, since, count, Money(total_minor, currency), by_kind)

    async def standing(
        self, customer_id: str, order_number: str, case_id: str, since: datetime
    ) -> list[Any]:
        """Live gestures of this customer since `since`, or on this order, other cases only:
        rows of (case_id, order_number, kind, amount_minor, currency, created_at)."""
        query = select(
            GestureRow.case_id,
            GestureRow.order_number,
            GestureRow.kind,
            GestureRow.amount_minor,
            GestureRow.currency,
            GestureRow.created_at,
        ).where(
            GestureRow.state.in_(LIVE_STATES),
            GestureRow.case_id != case_id,
            (GestureRow.customer_id == customer_id) & (GestureRow.created_at >= since)
            | (GestureRow.order_number == order_number),
        )
        async with self._read() as conn:
            return list((await conn.execute(query)).all())

    async def case_gestures(self, case_id: str) -> list[Any]:
        """The case's live gestures, oldest first: what the failure already got."""
        query = (
            select(LEDGER)
            .where(LEDGER.c.case_id == case_id, LEDGER.c.state.in_(LIVE_STATES))
            .order_by(LEDGER.c.created_at, LEDGER.c.id)
        )
        async with self._read() as conn:
            return list((await conn.execute(query)).all())

    async def recent(self, customer_id: str, limit: int = 10) -> list[GestureRow]:
        """The customer's latest live gestures, newest first (what an agent sees on a card)."""
        query = (
            select(GestureRow)
            .where(GestureRow.customer_id == customer_id, GestureRow.state.in_(LIVE_STATES))
            .order_by(GestureRow.created_at.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).all())  # type: ignore[arg-type]


async def _line(conn: AsyncConnection, spec: CounterSpec, customer_id: str | None) -> BudgetLine:
    currency = spec.limit.currency
    if spec.rolling and customer_id is not None:
        spent = await window_spent(conn, customer_id, spec.kind, spec.period_start, currency)
        return BudgetLine(spec.key, spec.limit, Money(spent, currency))
    query = select(_COUNTERS.c.spent_minor, _COUNTERS.c.currency).where(_COUNTERS.c.key == spec.key)
    row = (await conn.execute(query)).one_or_none()
    if row is None:
        return BudgetLine(spec.key, spec.limit, Money.zero(currency))
    if row.currency != currency:
        raise LedgerCurrencyMismatch(f"budget counter {spec.key} is in {row.currency}")
    return BudgetLine(spec.key, spec.limit, Money(row.spent_minor, currency))

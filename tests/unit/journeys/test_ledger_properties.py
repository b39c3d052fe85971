"""Property: whatever reserves, issues and releases happen, budgets hold and add up."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herstel.clock import AMSTERDAM, FrozenClock
from journeys.errors import BudgetExceeded, LedgerError
from journeys.ledger import GestureLedger
from tests.support.fixtures import NOW, Store, copy_sqlite, open_store
from tests.support.gestures import a_request, customer_limit, day_limit, month_limit
from tests.support.ledger_db import counters

LIMITS = [day_limit("50"), month_limit("80", "voucher"), customer_limit("25", days=30)]
LIMIT_MINOR = {"day": 5000, "month": 8000, "customer": 2500}

reserve = st.tuples(
    st.just("reserve"),
    st.integers(0, 3000),
    st.sampled_from(["cus_1", "cus_2", "cus_3"]),
    st.sampled_from(["voucher", "shipping_refund"]),
)
pick = st.tuples(st.sampled_from(["release", "issue"]), st.integers(0, 10_000))
tick = st.tuples(st.just("tick"), st.integers(1, 40 * 60))
operations = st.lists(st.one_of(reserve, reserve, pick, tick), max_size=40)


@dataclass
class Live:
    id: str
    amount: int
    customer: str
    kind: str
    at: datetime
    issued: bool = False


@dataclass
class Model:
    """The budgets as plain sums over the gestures we know are live."""

    live: dict[str, Live] = field(default_factory=dict)

    def sums(self, now: datetime, customer: str) -> dict[str, int]:
        local = now.astimezone(AMSTERDAM)
        day = [g for g in self.live.values() if g.at.astimezone(AMSTERDAM).date() == local.date()]
        month = [
            g
            for g in self.live.values()
            if g.kind == "voucher"
            and g.at.astimezone(AMSTERDAM).strftime("%Y-%m") == f"{local:%Y-%m}"
        ]
        window = [
            g
            for g in self.live.values()
            if g.customer == customer and g.at > now - timedelta(days=30)
        ]
        return {
            name: sum(g.amount for g in gs)
            for name, gs in (("day", day), ("month", month), ("customer", window))
        }

    def sum_for_key(self, key: str) -> int:
        """What a day or month counter row must hold: its period's live gestures."""
        scope, period, kind = key.split(":")
        pattern = "%Y-%m-%d" if scope == "day" else "%Y-%m"
        return sum(
            g.amount
            for g in self.live.values()
            if f"{g.at.astimezone(AMSTERDAM):{pattern}}" == period and kind in ("all", g.kind)
        )

    def fits(self, now: datetime, customer: str, kind: str, amount: int) -> bool:
        sums = self.sums(now, customer)
        checked = ["day", "customer"] + (["month"] if kind == "voucher" else [])
        return all(sums[name] + amount <= LIMIT_MINOR[name] for name in checked)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_budgets_never_overflow_and_always_equal_the_live_reservations(
    ops: list[tuple[Any, ...]], sqlite_template: Path
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_check(ops, copy_sqlite(sqlite_template, Path(folder))))


async def _check(ops: list[tuple[Any, ...]], url: str) -> None:
    clock = FrozenClock(NOW)
    store = await open_store(url, clock)
    model, made = Model(), []  # made: every reservation ever granted, in order
    try:
        for op in ops:
            if op[0] == "tick":
                clock.advance(timedelta(minutes=op[1]))
            elif op[0] == "reserve":
                await _reserve(store.ledger, model, made, clock.now(), *op[1:])
            elif made:
                await _pick(store.ledger, model, made[op[1] % len(made)], op[0])
            await _agrees(store, model, clock.now())
    finally:
        await store.close()


async def _reserve(
    ledger: GestureLedger,
    model: Model,
    made: list[str],
    now: datetime,
    amount: int,
    customer: str,
    kind: str,
) -> None:
    expected = model.fits(now, customer, kind, amount)
    request = a_request(amount=f"{amount / 100:.2f}", customer=customer, kind=kind, limits=LIMITS)
    try:
        reservation = await ledger.reserve(request)
    except BudgetExceeded:
        assert not expected, f"refused {amount} although it fits"
        return
    assert expected, f"granted {amount} although a budget would overflow"
    model.live[reservation.id] = Live(reservation.id, amount, customer, kind, now)
    made.append(reservation.id)


async def _pick(ledger: GestureLedger, model: Model, reservation_id: str, action: str) -> None:
    gesture = model.live.get(reservation_id)
    if action == "issue":
        if gesture is None:  # released earlier
            return
        await ledger.issue(reservation_id, f"V-{reservation_id}")
        gesture.issued = True
    elif gesture is not None and gesture.issued:
        try:
            await ledger.release(reservation_id)
        except LedgerError:
            return
        raise AssertionError("released an issued gesture")
    else:
        await ledger.release(reservation_id)  # also when already released: a no-op
        model.live.pop(reservation_id, None)


async def _agrees(store: Store, model: Model, now: datetime) -> None:
    rows = await counters(store.engine)
    for key, counter in rows.items():
        if not key.startswith("customer:"):
            assert counter.spent <= counter.limit, key
            assert counter.spent == model.sum_for_key(key), key
    for customer in ("cus_1", "cus_2", "cus_3"):
        usage = await store.ledger.usage(now, LIMITS, customer)
        sums = model.sums(now, customer)
        assert usage.spent(f"day:{now.astimezone(AMSTERDAM):%Y-%m-%d}:all").minor == sums["day"]
        assert (
            usage.spent(f"month:{now.astimezone(AMSTERDAM):%Y-%m}:voucher").minor == sums["month"]
        )
        assert usage.spent(f"customer:{customer}:30d:all").minor == sums["customer"]
        assert sums["customer"] <= LIMIT_MINOR["customer"]

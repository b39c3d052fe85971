"""Property: the limits checked where money is reserved (per gesture, per order, treats a
month, one decision per case), with replays and re-reservations of released gestures, grant
exactly what a plain model of the live gestures allows."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herstel.clock import AMSTERDAM, FrozenClock
from herstel.money import Money
from journeys.errors import Refused
from journeys.records import BudgetLimit, CountLimit, GestureState
from tests.support.fixtures import NOW, copy_sqlite, open_store
from tests.support.gestures import a_request
from tests.support.ledger_db import ledger_rows

VOUCHER_CAP, ORDER_CAP, TREATS_A_MONTH = 1500, 4000, 1
LIMITS = (
    BudgetLimit("gesture", Money(VOUCHER_CAP, "EUR"), kind="voucher"),
    BudgetLimit("order", Money(ORDER_CAP, "EUR")),
)
# Four cases on two orders of two customers.
CASES = {"c1": ("A", "cus_a"), "c2": ("A", "cus_a"), "c3": ("B", "cus_b"), "c4": ("B", "cus_b")}


@dataclass(frozen=True)
class Gesture:
    key: str
    case: str
    kind: str
    amount: int
    decision: str

    @property
    def order(self) -> str:
        return CASES[self.case][0]

    @property
    def customer(self) -> str:
        return CASES[self.case][1]


gesture = st.builds(
    lambda case, kind, amount, decision: Gesture(
        f"{case}:{kind}:{amount}:{decision}", case, kind, amount, decision
    ),
    st.sampled_from(sorted(CASES)),
    st.sampled_from(["voucher", "treat"]),
    st.sampled_from([350, 1000, 1499, 1500, 1501, 2600]),
    st.sampled_from(["bot|voucher:2", "agent:U1|replacement:1"]),
)
operation = st.one_of(
    st.tuples(st.just("reserve"), gesture),
    st.tuples(st.sampled_from(["release", "issue"]), st.integers(0, 100)),
    st.tuples(st.just("tick"), st.integers(1, 20)),  # days
)


@dataclass
class Model:
    live: dict[str, tuple[Gesture, datetime]] = field(default_factory=dict)
    issued: set[str] = field(default_factory=set)

    def fits(self, g: Gesture, now: datetime) -> bool:
        if g.kind == "voucher" and g.amount > VOUCHER_CAP:
            return False
        on_order = sum(x.amount for x, _ in self.live.values() if x.order == g.order)
        if on_order + g.amount > ORDER_CAP:
            return False
        month = f"{now.astimezone(AMSTERDAM):%Y-%m}"
        treats = sum(
            1
            for x, at in self.live.values()
            if x.kind == "treat" and x.customer == g.customer
            and f"{at.astimezone(AMSTERDAM):%Y-%m}" == month
        )  # fmt: skip
        if g.kind == "treat" and treats + 1 > TREATS_A_MONTH:
            return False
        return all(x.decision == g.decision for x, _ in self.live.values() if x.case == g.case)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, max_size=40))
def test_every_limit_holds_and_refuses_only_what_breaks_one(
    ops: list[tuple[Any, ...]], sqlite_template: Path
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_check(ops, copy_sqlite(sqlite_template, Path(folder))))


async def _check(ops: list[tuple[Any, ...]], url: str) -> None:
    clock = FrozenClock(NOW)
    store = await open_store(url, clock)
    model, ids = Model(), {}  # ids: key -> reservation id, for every key ever reserved
    try:
        for op in ops:
            if op[0] == "tick":
                clock.advance(timedelta(days=op[1]))
            elif op[0] == "reserve":
                await _reserve(store.ledger, model, ids, op[1], clock.now())
            elif ids:
                key = sorted(ids)[op[1] % len(ids)]
                await _move(store.ledger, model, ids[key], key, op[0])
            await _agrees(store, model)
    finally:
        await store.close()


async def _reserve(ledger, model: Model, ids: dict[str, str], g: Gesture, now: datetime) -> None:
    order, customer = CASES[g.case]
    counts = (CountLimit("treats_this_month", TREATS_A_MONTH),)
    request = a_request(
        key=g.key, case=g.case, order=order, customer=customer, kind=g.kind,
        amount=f"{g.amount / 100:.2f}", limits=LIMITS,
    )  # fmt: skip
    request = replace(request, counts=counts, decision=g.decision)
    replay = g.key in model.live
    expected = replay or model.fits(g, now)
    try:
        reservation = await ledger.reserve(request)
    except Refused:
        assert not expected, f"refused {g} although it fits"
        return
    assert expected, f"granted {g} although a limit forbids it"
    assert reservation.new is not replay
    ids[g.key] = reservation.id
    if not replay:
        model.live[g.key] = (g, now)


async def _move(ledger, model: Model, reservation_id: str, key: str, action: str) -> None:
    if action == "issue":
        if key in model.live:
            await ledger.issue(reservation_id, f"ref-{key}")
            model.issued.add(key)
        return
    if key in model.issued:
        return  # issued gestures cannot be released (tested elsewhere)
    await ledger.release(reservation_id)
    model.live.pop(key, None)


async def _agrees(store, model: Model) -> None:
    rows = await ledger_rows(store.engine)
    live = {r.idempotency_key for r in rows if r.state != GestureState.RELEASED}
    assert live == set(model.live)
    for order in ("A", "B"):
        on_order = [r for r in rows if r.order_number == order and r.idempotency_key in live]
        assert sum(r.amount_minor for r in on_order) <= ORDER_CAP
    for case in CASES:
        decisions = {r.decision for r in rows if r.case_id == case and r.idempotency_key in live}
        assert len(decisions) <= 1, (case, decisions)

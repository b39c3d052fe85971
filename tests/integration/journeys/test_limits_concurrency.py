"""Racing requests from several conversations and servers (two engines on one database,
PostgreSQL and SQLite) meet every limit checked where money is reserved."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from carriers.fake import FakeCarrier
from herstel.bootstrap import recovery_service
from herstel.money import Money
from journeys.cases import SqlCaseStore
from journeys.records import BudgetLimit, CountLimit, Reservation
from policies import ComplaintType, load_default
from recovery.cases import Failure, Where
from recovery.granting import AlreadyDecided
from recovery.proposal import Complaint
from shop.memory import InMemoryShop
from tests.builders import a_shipment, an_order
from tests.support.fixtures import Store
from tests.support.gestures import a_request
from tests.support.ledger_db import ledger_rows
from tests.support.racing import race

pytestmark = pytest.mark.integration

RACERS = 24
LATE = Complaint(ComplaintType.LATE_DELIVERY)


async def test_racing_gestures_on_one_order_stay_within_the_order_cap(store: Store) -> None:
    limits = [BudgetLimit("order", Money.of("100"))]
    calls = [
        ledger.reserve(a_request(amount="30", case=f"case-{i}", order="7001", limits=limits))
        for i, ledger in enumerate(store.replicas(RACERS))
    ]
    granted, refused = await race(calls)
    assert (len(granted), refused) == (3, RACERS - 3)
    live = [r for r in await ledger_rows(store.engine) if r.state != "released"]
    assert sum(r.amount_minor for r in live) == 9000


async def test_racing_treats_for_one_customer_give_the_monthly_limit_once(store: Store) -> None:
    counts = (CountLimit("treats_this_month", 1),)
    calls = [
        ledger.reserve(replace(a_request(kind="treat", amount="3.50", case=f"c{i}"), counts=counts))
        for i, ledger in enumerate(store.replicas(RACERS))
    ]
    granted, _ = await race(calls)
    assert len(granted) == 1


async def test_racing_decisions_on_one_case_leave_one(store: Store) -> None:
    calls = [
        ledger.reserve(
            replace(
                a_request(key=f"k-{i}", case="100482:late_delivery"), decision=f"agent:U{i % 3}"
            )
        )
        for i, ledger in enumerate(store.replicas(RACERS))
    ]
    granted, _ = await race(calls)
    assert len({r.decided_by for r in granted}) == 1
    rows = [r for r in await ledger_rows(store.engine) if r.state != "released"]
    assert len({r.decision for r in rows}) == 1


async def test_racing_complaints_of_one_customer_pass_the_rules_limit_at_most_once_each(
    store: Store,
) -> None:
    # Ten conversations, ten orders of one customer, each opening its case and asking for a
    # gesture under a rule for customers with at most 3 earlier complaints: however they
    # interleave, each granted one saw those granted before it, so at most 4 pass.
    cases = (SqlCaseStore(store.engine), SqlCaseStore(store.rival_engine))
    counts = (CountLimit("complaints", 3, 30),)

    async def conversation(i: int, ledger) -> Reservation:  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.005 * i)
        failure = Failure(f"80{i:02d}:late", f"80{i:02d}", "cus_9", ComplaintType.LATE_DELIVERY)
        await cases[i % 2].open(failure, Where(f"conv-{i}", "webchat", "en"), store.clock.now())
        request = a_request(case=failure.case_id, order=failure.order_number, customer="cus_9")
        return await ledger.reserve(replace(request, counts=counts))

    calls = [conversation(i, ledger) for i, ledger in enumerate(store.replicas(10))]
    granted, _ = await race(calls)
    assert len(granted) <= 4


async def test_two_conversations_on_two_servers_racing_on_one_failure_get_one_gesture(
    store: Store,
) -> None:
    now = store.clock.now()
    order = an_order(promised_by=now - timedelta(minutes=30), shipping_cost=Money.of("4.95"))
    shop = InMemoryShop([order])
    window = type(a_shipment().expected)(now + timedelta(minutes=30), now + timedelta(hours=1))
    shipment = a_shipment(expected=window)
    carriers = {"postnl": FakeCarrier({"3SHRST100482": shipment})}
    servers = [
        recovery_service(shop, carriers, store.clock, load_default(), engine)
        for engine in (store.engine, store.rival_engine)
    ]
    diagnosis = await servers[0].diagnose("100482", "3512JE")
    case = "100482:late_delivery"
    yeses = [
        servers[i % 2].accept(
            case, LATE, diagnosis, [("voucher:2", "shipping_refund:1")[i % 3 == 0]]
        )
        for i in range(12)
    ]
    outcomes = await asyncio.gather(*yeses, return_exceptions=True)
    assert all(isinstance(o, tuple | AlreadyDecided) for o in outcomes), outcomes
    assert len(shop.writes) == 1
    assert len({o[0].kind for o in outcomes if isinstance(o, tuple)}) == 1
    [row] = [r for r in await ledger_rows(store.engine) if r.state != "released"]
    assert row.case_id == case

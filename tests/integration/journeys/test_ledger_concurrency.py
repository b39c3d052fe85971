"""Many requests racing for one budget: exactly what fits is granted, never more, never twice."""

from __future__ import annotations

import asyncio

import pytest

from journeys.errors import BudgetExceeded
from tests.support.fixtures import Store
from tests.support.gestures import a_request, customer_limit, day_limit
from tests.support.ledger_db import counters, ledger_rows, spent
from tests.support.racing import race

pytestmark = pytest.mark.integration

RACERS = 50
DAY = "day:2026-11-22:all"


async def test_racing_reservations_get_exactly_what_the_day_budget_fits(store: Store) -> None:
    limits = [day_limit("100")]
    calls = [
        ledger.reserve(a_request(amount="7", limits=limits)) for ledger in store.replicas(RACERS)
    ]
    granted, refused = await race(calls)
    assert len(granted) == 10_000 // 700  # 14
    assert refused == RACERS - 14
    assert await spent(store.engine, DAY) == sum(r.amount.minor for r in granted) == 9800
    assert len(await ledger_rows(store.engine)) == 14


async def test_racing_reservations_of_mixed_amounts_never_overspend(store: Store) -> None:
    limits = [day_limit("100")]
    amounts = [str(3 + i % 9) for i in range(RACERS)]
    calls = [
        ledger.reserve(a_request(amount=a, limits=limits))
        for ledger, a in zip(store.replicas(RACERS), amounts, strict=True)
    ]
    granted, _ = await race(calls)
    total = sum(r.amount.minor for r in granted)
    assert total <= 10_000
    assert await spent(store.engine, DAY) == total
    assert 10_000 - total < 300  # any refused request would have fitted otherwise


async def test_a_webhook_delivered_fifty_times_at_once_is_one_reservation_and_one_spend(
    store: Store,
) -> None:
    request = a_request(key="webhook-7", amount="12.50", limits=[day_limit("100")])
    granted, refused = await race([ledger.reserve(request) for ledger in store.replicas(RACERS)])
    assert refused == 0
    assert {r.id for r in granted} == {granted[0].id}
    assert len(await ledger_rows(store.engine)) == 1
    assert await spent(store.engine, DAY) == 1250


async def test_racing_reservations_for_one_customer_respect_the_customer_cap(store: Store) -> None:
    limits = [day_limit("10000"), customer_limit("45", days=30)]
    calls = [
        ledger.reserve(a_request(amount="10", limits=limits)) for ledger in store.replicas(RACERS)
    ]
    granted, refused = await race(calls)
    assert (len(granted), refused) == (4, RACERS - 4)
    assert await spent(store.engine, DAY) == 4000
    usage = await store.ledger.usage(store.clock.now(), limits, "cus_1")
    assert usage.spent("customer:cus_1:30d:all").minor == 4000


async def test_racing_customers_each_get_their_own_cap(store: Store) -> None:
    limits = [customer_limit("30")]
    customers = [f"cus_{i % 5}" for i in range(RACERS)]
    calls = [
        ledger.reserve(a_request(customer=c, limits=limits))
        for ledger, c in zip(store.replicas(RACERS), customers, strict=True)
    ]
    granted, _ = await race(calls)
    per_customer = {c: sum(r.customer_id == c for r in granted) for c in set(customers)}
    assert per_customer == dict.fromkeys(per_customer, 3)


async def test_racing_releases_give_back_once_while_new_reservations_take_the_room(
    store: Store,
) -> None:
    limits = [day_limit("100")]
    held = [await store.ledger.reserve(a_request(amount="10", limits=limits)) for _ in range(10)]
    releases = [ledger.release(r.id) for r in held[:5] for ledger in store.replicas(3)]
    newcomers = [
        ledger.reserve(a_request(amount="10", limits=limits)) for ledger in store.replicas(20)
    ]
    outcomes = await asyncio.gather(*releases, *newcomers, return_exceptions=True)
    assert all(not isinstance(o, Exception) or isinstance(o, BudgetExceeded) for o in outcomes)
    live = [r for r in await ledger_rows(store.engine) if r.state != "released"]
    assert await spent(store.engine, DAY) == sum(r.amount_minor for r in live) <= 10_000
    assert {r.id for r in held[5:]} <= {r.id for r in live}
    # Whatever the order, the room given back is exactly the five releases: fill it up.
    with pytest.raises(BudgetExceeded):
        for _ in range(11):
            await store.ledger.reserve(a_request(amount="10", limits=limits))
    assert len([r for r in await ledger_rows(store.engine) if r.state != "released"]) == 10
    assert all(c.spent <= c.limit for c in (await counters(store.engine)).values())

"""Budgets reset at Amsterdam midnight and customer caps roll, as seen through the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herstel.money import Money
from journeys.errors import BudgetExceeded
from tests.support.fixtures import Store
from tests.support.gestures import a_request, customer_limit, day_limit, month_limit
from tests.support.ledger_db import spent


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def test_a_full_day_budget_is_fresh_again_after_amsterdam_midnight(
    sqlite_store: Store,
) -> None:
    limits = [day_limit("10"), month_limit("100")]
    sqlite_store.clock.set(utc(2026, 10, 31, 22, 30))  # 23:30 in Amsterdam, 31 October
    await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    sqlite_store.clock.set(utc(2026, 10, 31, 22, 59))
    with pytest.raises(BudgetExceeded, match="day:2026-10-31:all"):
        await sqlite_store.ledger.reserve(a_request(amount="1", limits=limits))
    sqlite_store.clock.set(utc(2026, 10, 31, 23, 30))  # 00:30 on 1 November
    await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    assert await spent(sqlite_store.engine, "day:2026-11-01:all") == 1000
    assert await spent(sqlite_store.engine, "month:2026-10:all") == 1000
    assert await spent(sqlite_store.engine, "month:2026-11:all") == 1000


async def test_the_long_day_when_the_clocks_go_back_shares_one_budget(sqlite_store: Store) -> None:
    limits = [day_limit("15")]
    sqlite_store.clock.set(utc(2026, 10, 24, 22, 30))  # 00:30 CEST on 25 October
    await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    sqlite_store.clock.set(utc(2026, 10, 25, 22, 30))  # 23:30 CET, still 25 October
    with pytest.raises(BudgetExceeded, match="day:2026-10-25:all"):
        await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    sqlite_store.clock.set(utc(2026, 10, 25, 23, 0))  # 00:00 CET on 26 October
    await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))


async def test_a_customer_cap_counts_only_the_rolling_window(sqlite_store: Store) -> None:
    limits = [customer_limit("25", days=30)]
    start = utc(2026, 11, 1, 12)
    sqlite_store.clock.set(start)
    await sqlite_store.ledger.reserve(a_request(amount="20", limits=limits))
    sqlite_store.clock.set(start + timedelta(days=29))
    with pytest.raises(BudgetExceeded) as refused:
        await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    assert refused.value.spent == Money.of("20")
    sqlite_store.clock.set(start + timedelta(days=30))  # the first gesture drops out now
    await sqlite_store.ledger.reserve(a_request(amount="25", limits=limits))


async def test_a_customer_cap_is_per_customer(sqlite_store: Store) -> None:
    limits = [customer_limit("10")]
    await sqlite_store.ledger.reserve(a_request(amount="10", customer="cus_1", limits=limits))
    await sqlite_store.ledger.reserve(a_request(amount="10", customer="cus_2", limits=limits))
    with pytest.raises(BudgetExceeded, match="customer:cus_1:30d:all"):
        await sqlite_store.ledger.reserve(a_request(amount="1", customer="cus_1", limits=limits))


async def test_releasing_makes_room_under_a_customer_cap(sqlite_store: Store) -> None:
    limits = [customer_limit("10")]
    first = await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    await sqlite_store.ledger.release(first.id)
    assert await spent(sqlite_store.engine, "customer:cus_1:30d:all") == 0
    await sqlite_store.ledger.reserve(a_request(amount="10", limits=limits))
    usage = await sqlite_store.ledger.usage(sqlite_store.clock.now(), limits, "cus_1")
    assert usage.spent("customer:cus_1:30d:all") == Money.of("10")

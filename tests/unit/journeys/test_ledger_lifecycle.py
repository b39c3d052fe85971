"""Reserve, issue and release on the ledger, each exactly once however often it is asked."""

from __future__ import annotations

import pytest

from herstel.money import Money
from journeys.errors import BudgetExceeded, IdempotencyConflict, LedgerError
from journeys.records import GestureState
from tests.support.fixtures import Store
from tests.support.gestures import a_request, day_limit, month_limit
from tests.support.ledger_db import counters, ledger_rows, spent

DAY = "day:2026-11-22:all"
LIMITS = [day_limit("100"), month_limit("500", "voucher")]


async def test_a_reservation_takes_its_amount_from_every_applicable_budget(
    sqlite_store: Store,
) -> None:
    reservation = await sqlite_store.ledger.reserve(a_request(amount="12.50", limits=LIMITS))
    assert reservation.state is GestureState.RESERVED
    assert reservation.amount == Money.of("12.50")
    assert await spent(sqlite_store.engine, DAY) == 1250
    assert await spent(sqlite_store.engine, "month:2026-11:voucher") == 1250


async def test_issuing_records_the_voucher_code_and_keeps_the_spend(sqlite_store: Store) -> None:
    reservation = await sqlite_store.ledger.reserve(a_request(limits=LIMITS))
    issued = await sqlite_store.ledger.issue(reservation.id, "VOUCHER-1")
    assert (issued.state, issued.result_ref) == (GestureState.ISSUED, "VOUCHER-1")
    assert await sqlite_store.ledger.get(reservation.id) == issued
    assert await spent(sqlite_store.engine, DAY) == 1000


async def test_issuing_twice_with_the_same_code_is_harmless(sqlite_store: Store) -> None:
    reservation = await sqlite_store.ledger.reserve(a_request(limits=LIMITS))
    first = await sqlite_store.ledger.issue(reservation.id, "VOUCHER-1")
    assert await sqlite_store.ledger.issue(reservation.id, "VOUCHER-1") == first


async def test_a_second_voucher_code_for_one_reservation_is_refused(sqlite_store: Store) -> None:
    reservation = await sqlite_store.ledger.reserve(a_request(limits=LIMITS))
    await sqlite_store.ledger.issue(reservation.id, "VOUCHER-1")
    with pytest.raises(LedgerError, match="cannot issue"):
        await sqlite_store.ledger.issue(reservation.id, "VOUCHER-2")


async def test_releasing_gives_the_amount_back_once_however_often_it_is_called(
    sqlite_store: Store,
) -> None:
    kept = await sqlite_store.ledger.reserve(a_request(amount="30", limits=LIMITS))
    dropped = await sqlite_store.ledger.reserve(a_request(amount="20", limits=LIMITS))
    for _ in range(3):
        released = await sqlite_store.ledger.release(dropped.id)
        assert released.state is GestureState.RELEASED
    assert await spent(sqlite_store.engine, DAY) == 3000
    assert (await sqlite_store.ledger.get(kept.id)).state is GestureState.RESERVED


async def test_a_released_reservation_cannot_be_issued(sqlite_store: Store) -> None:
    reservation = await sqlite_store.ledger.reserve(a_request(limits=LIMITS))
    await sqlite_store.ledger.release(reservation.id)
    with pytest.raises(LedgerError):
        await sqlite_store.ledger.issue(reservation.id, "VOUCHER-1")


async def test_an_issued_gesture_cannot_be_released(sqlite_store: Store) -> None:
    reservation = await sqlite_store.ledger.reserve(a_request(limits=LIMITS))
    await sqlite_store.ledger.issue(reservation.id, "VOUCHER-1")
    with pytest.raises(LedgerError, match="issued"):
        await sqlite_store.ledger.release(reservation.id)
    assert await spent(sqlite_store.engine, DAY) == 1000


async def test_an_unknown_reservation_is_a_ledger_error(sqlite_store: Store) -> None:
    with pytest.raises(LedgerError, match="no reservation"):
        await sqlite_store.ledger.issue("nope", "VOUCHER-1")


async def test_the_same_idempotency_key_returns_the_same_reservation_and_spends_once(
    sqlite_store: Store,
) -> None:
    request = a_request(key="webhook-42", limits=LIMITS)
    first = await sqlite_store.ledger.reserve(request)
    again = await sqlite_store.ledger.reserve(request)
    assert again == first
    assert len(await ledger_rows(sqlite_store.engine)) == 1
    assert await spent(sqlite_store.engine, DAY) == 1000


async def test_a_released_gesture_asked_for_again_is_reserved_again_and_charged_once(
    sqlite_store: Store,
) -> None:
    # A retry after a failure: replaying the released row would let the shop carry it out
    # with nothing charged (the gesture outside the ledger), so it is reserved anew.
    request = a_request(key="webhook-43", limits=LIMITS)
    first = await sqlite_store.ledger.reserve(request)
    await sqlite_store.ledger.release(first.id)
    again = await sqlite_store.ledger.reserve(request)
    assert (again.id, again.state, again.new) == (first.id, GestureState.RESERVED, True)
    assert await spent(sqlite_store.engine, DAY) == 1000
    third = await sqlite_store.ledger.reserve(request)
    assert (third.state, third.new) == (GestureState.RESERVED, False)
    assert await spent(sqlite_store.engine, DAY) == 1000
    assert len(await ledger_rows(sqlite_store.engine)) == 1


async def test_an_idempotency_key_reused_for_another_amount_is_refused(
    sqlite_store: Store,
) -> None:
    await sqlite_store.ledger.reserve(a_request(key="k", amount="10", limits=LIMITS))
    with pytest.raises(IdempotencyConflict):
        await sqlite_store.ledger.reserve(a_request(key="k", amount="11", limits=LIMITS))


async def test_an_amount_over_budget_names_the_budget_and_records_nothing(
    sqlite_store: Store,
) -> None:
    await sqlite_store.ledger.reserve(a_request(amount="95", limits=LIMITS))
    with pytest.raises(BudgetExceeded) as refused:
        await sqlite_store.ledger.reserve(a_request(amount="5.01", limits=LIMITS))
    assert refused.value.budget_key == DAY
    assert (refused.value.limit, refused.value.spent) == (Money.of("100"), Money.of("95"))
    assert refused.value.requested == Money.of("5.01")
    assert len(await ledger_rows(sqlite_store.engine)) == 1
    assert await spent(sqlite_store.engine, "month:2026-11:voucher") == 9500


async def test_an_amount_that_exactly_fills_the_budget_is_allowed(sqlite_store: Store) -> None:
    await sqlite_store.ledger.reserve(a_request(amount="95", limits=LIMITS))
    await sqlite_store.ledger.reserve(a_request(amount="5", limits=LIMITS))
    assert await spent(sqlite_store.engine, DAY) == 10000


async def test_a_limit_for_one_kind_leaves_other_kinds_alone(sqlite_store: Store) -> None:
    limits = [month_limit("10", "voucher")]
    await sqlite_store.ledger.reserve(a_request(kind="refund", amount="50", limits=limits))
    assert "month:2026-11:voucher" not in await counters(sqlite_store.engine)


async def test_a_gesture_in_another_currency_than_the_counter_is_refused(
    sqlite_store: Store,
) -> None:
    await sqlite_store.ledger.reserve(a_request(limits=[day_limit("100")]))
    usd = a_request(currency="USD", limits=[day_limit("100", currency="USD")])
    with pytest.raises(LedgerError, match="USD"):
        await sqlite_store.ledger.reserve(usd)
    assert len(await ledger_rows(sqlite_store.engine)) == 1


async def test_usage_reports_spent_per_budget_key(sqlite_store: Store) -> None:
    await sqlite_store.ledger.reserve(a_request(amount="12", limits=LIMITS))
    usage = await sqlite_store.ledger.usage(sqlite_store.clock.now(), LIMITS)
    assert usage.spent(DAY) == Money.of("12")
    assert usage.lines[DAY].remaining == Money.of("88")
    assert usage.spent("month:2026-11:voucher") == Money.of("12")


async def test_usage_of_an_untouched_budget_is_zero(sqlite_store: Store) -> None:
    usage = await sqlite_store.ledger.usage(sqlite_store.clock.now(), [day_limit("50")])
    assert usage.spent(DAY) == Money.zero()


async def test_customer_history_counts_reserved_and_issued_but_not_released(
    sqlite_store: Store,
) -> None:
    ledger = sqlite_store.ledger
    issued = await ledger.reserve(a_request(amount="10", kind="voucher"))
    await ledger.issue(issued.id, "V-1")
    await ledger.reserve(a_request(amount="4.95", kind="shipping_refund"))
    await ledger.release((await ledger.reserve(a_request(amount="99"))).id)
    await ledger.reserve(a_request(amount="7", customer="cus_2"))
    history = await ledger.customer_history("cus_1", sqlite_store.clock.now())
    assert (history.count, history.total) == (2, Money.of("14.95"))
    assert history.by_kind["voucher"].total == Money.of("10")
    assert history.by_kind["shipping_refund"].count == 1

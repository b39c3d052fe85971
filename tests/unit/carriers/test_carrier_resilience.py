"""CachedCarrier and CircuitBreakerCarrier with a FrozenClock and a FakeCarrier."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from carriers.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierRateLimited,
    CarrierUnavailable,
    ShipmentNotFound,
)
from carriers.fake import FakeCarrier
from carriers.model import Shipment, ShipmentStatus
from carriers.resilience import CachedCarrier, CircuitBreakerCarrier
from herstel.clock import FrozenClock

PARCEL = "3SHRST100482"


def _shipment(number: str = PARCEL, status: ShipmentStatus = ShipmentStatus.IN_TRANSIT) -> Shipment:
    return Shipment("fake", number, status, "5", "Zending gesorteerd")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 3, 14, 9, 30, tzinfo=UTC))


@pytest.fixture
def fake() -> FakeCarrier:
    return FakeCarrier({PARCEL: _shipment()})


# --- cache -------------------------------------------------------------------------------


async def test_a_second_lookup_within_the_ttl_is_served_from_the_cache(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    cached = CachedCarrier(fake, ttl_seconds=60, clock=clock)

    first = await cached.track(PARCEL)
    clock.advance(timedelta(seconds=59))
    second = await cached.track(PARCEL)

    assert second is first
    assert fake.calls == [PARCEL]


async def test_a_lookup_after_the_ttl_asks_the_carrier_again(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    cached = CachedCarrier(fake, ttl_seconds=60, clock=clock)

    await cached.track(PARCEL)
    clock.advance(timedelta(seconds=60))
    await cached.track(PARCEL)

    assert fake.calls == [PARCEL, PARCEL]


async def test_the_cache_key_ignores_case_and_surrounding_spaces(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    cached = CachedCarrier(fake, clock=clock)

    await cached.track(PARCEL)
    await cached.track(f" {PARCEL.lower()} ")

    assert fake.calls == [PARCEL]


@pytest.mark.parametrize("error", [CarrierUnavailable("down"), ShipmentNotFound("not yet")])
async def test_errors_are_not_cached(
    fake: FakeCarrier, clock: FrozenClock, error: CarrierError
) -> None:
    cached = CachedCarrier(fake, clock=clock)
    fake.answers[PARCEL] = error

    with pytest.raises(type(error)):
        await cached.track(PARCEL)
    fake.answers[PARCEL] = _shipment()
    shipment = await cached.track(PARCEL)

    assert shipment.status is ShipmentStatus.IN_TRANSIT
    assert fake.calls == [PARCEL, PARCEL]


async def test_concurrent_lookups_of_one_parcel_share_one_call(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    cached = CachedCarrier(fake, clock=clock)
    fake.gate = asyncio.Event()

    waiting = [asyncio.create_task(cached.track(PARCEL)) for _ in range(5)]
    await asyncio.sleep(0)
    fake.gate.set()
    results = await asyncio.gather(*waiting)

    assert fake.calls == [PARCEL]
    assert all(result is results[0] for result in results)


async def test_concurrent_lookups_share_a_failure_too_and_it_is_not_kept(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    cached = CachedCarrier(fake, clock=clock)
    fake.answers[PARCEL] = CarrierUnavailable("timeout")
    fake.gate = asyncio.Event()

    waiting = [asyncio.create_task(cached.track(PARCEL)) for _ in range(3)]
    await asyncio.sleep(0)
    fake.gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)

    assert all(isinstance(result, CarrierUnavailable) for result in results)
    assert fake.calls == [PARCEL]


async def test_one_waiter_giving_up_does_not_cancel_the_shared_call(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    cached = CachedCarrier(fake, clock=clock)
    fake.gate = asyncio.Event()

    impatient = asyncio.create_task(cached.track(PARCEL))
    patient = asyncio.create_task(cached.track(PARCEL))
    await asyncio.sleep(0)
    impatient.cancel()
    fake.gate.set()

    assert (await patient).tracking_number == PARCEL
    assert impatient.cancelled()


async def test_the_cache_holds_at_most_max_entries(clock: FrozenClock) -> None:
    numbers = ["3SHRST000001", "3SHRST000002", "3SHRST000003"]
    fake = FakeCarrier({n: _shipment(n) for n in numbers})
    cached = CachedCarrier(fake, clock=clock, max_entries=2)

    for number in numbers:
        await cached.track(number)
    await cached.track(numbers[0])  # the oldest entry made room for the third

    assert fake.calls == [*numbers, numbers[0]]


async def test_a_refreshed_entry_is_evicted_last(clock: FrozenClock) -> None:
    a, b, c, d = (f"3SHRST00000{i}" for i in range(1, 5))
    fake = FakeCarrier({n: _shipment(n) for n in (a, b, c, d)})
    cached = CachedCarrier(fake, ttl_seconds=60, clock=clock, max_entries=3)

    await cached.track(a)
    clock.advance(timedelta(seconds=30))
    await cached.track(b)
    clock.advance(timedelta(seconds=31))
    await cached.track(a)  # expired: refreshed, and now the newest entry
    await cached.track(c)
    await cached.track(d)  # full, nothing expired: evicts b, the oldest
    await cached.track(a)

    assert fake.calls == [a, b, a, c, d]


async def test_wrappers_keep_the_carrier_name(fake: FakeCarrier, clock: FrozenClock) -> None:
    breaker = CircuitBreakerCarrier(fake, clock=clock)
    assert CachedCarrier(breaker, clock=clock).name == breaker.name == "fake"


# --- circuit breaker ---------------------------------------------------------------------


async def _fail(breaker: CircuitBreakerCarrier, times: int) -> None:
    for _ in range(times):
        with pytest.raises(CarrierUnavailable):
            await breaker.track(PARCEL)


async def test_the_breaker_opens_after_n_consecutive_failures_and_then_fails_fast(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    breaker = CircuitBreakerCarrier(fake, failure_threshold=3, clock=clock)
    fake.answers[PARCEL] = CarrierUnavailable("500")

    await _fail(breaker, 3)
    with pytest.raises(CarrierUnavailable, match="circuit open"):
        await breaker.track(PARCEL)

    assert breaker.is_open
    assert len(fake.calls) == 3


async def test_rate_limiting_counts_as_a_failure(fake: FakeCarrier, clock: FrozenClock) -> None:
    breaker = CircuitBreakerCarrier(fake, failure_threshold=2, clock=clock)
    fake.answers[PARCEL] = CarrierRateLimited("429", retry_after=1)

    await _fail(breaker, 2)

    assert breaker.is_open


@pytest.mark.parametrize("answer", [ShipmentNotFound("unknown"), CarrierAuthError("bad key")])
async def test_an_answer_that_is_an_error_does_not_count_and_resets_the_count(
    fake: FakeCarrier, clock: FrozenClock, answer: CarrierError
) -> None:
    breaker = CircuitBreakerCarrier(fake, failure_threshold=3, clock=clock)
    fake.answers[PARCEL] = CarrierUnavailable("500")
    await _fail(breaker, 2)
    fake.answers[PARCEL] = answer
    with pytest.raises(type(answer)):
        await breaker.track(PARCEL)
    fake.answers[PARCEL] = CarrierUnavailable("500")
    await _fail(breaker, 2)

    assert not breaker.is_open
    assert len(fake.calls) == 5


async def test_after_the_reset_time_one_trial_call_closes_the_breaker_on_success(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    breaker = CircuitBreakerCarrier(fake, failure_threshold=2, reset_after_seconds=30, clock=clock)
    fake.answers[PARCEL] = CarrierUnavailable("500")
    await _fail(breaker, 2)

    clock.advance(timedelta(seconds=30))
    fake.answers[PARCEL] = _shipment()
    await breaker.track(PARCEL)

    assert not breaker.is_open
    await breaker.track(PARCEL)
    assert len(fake.calls) == 4


async def test_a_failed_trial_reopens_the_breaker_for_another_reset_period(
    fake: FakeCarrier, clock: FrozenClock
) -> None:
    breaker = CircuitBreakerCarrier(fake, failure_threshold=2, reset_after_seconds=30, clock=clock)
    fake.answers[PARCEL] = CarrierUnavailable("500")
    await _fail(breaker, 2)

    clock.advance(timedelta(seconds=31))
    await _fail(breaker, 1)  # the trial
    clock.advance(timedelta(seconds=29))
    with pytest.raises(CarrierUnavailable, match="circuit open"):
        await breaker.track(PARCEL)

    assert len(fake.calls) == 3


async def test_only_one_trial_runs_while_half_open(fake: FakeCarrier, clock: FrozenClock) -> None:
    breaker = CircuitBreakerCarrier(fake, failure_threshold=1, reset_after_seconds=30, clock=clock)
    fake.answers[PARCEL] = CarrierUnavailable("500")
    await _fail(breaker, 1)
    clock.advance(timedelta(seconds=30))
    fake.answers[PARCEL] = _shipment()
    fake.gate = asyncio.Event()

    trial = asyncio.create_task(breaker.track(PARCEL))
    await asyncio.sleep(0)
    with pytest.raises(CarrierUnavailable, match="circuit open"):
        await breaker.track(PARCEL)
    fake.gate.set()
    await trial

    assert not breaker.is_open
    assert len(fake.calls) == 2

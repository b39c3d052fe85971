"""Both adapters against the simulator over real HTTP, one test per demo story."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from carriers.dhl import DHLCarrier
from carriers.errors import (
    CarrierAuthError,
    CarrierRateLimited,
    CarrierUnavailable,
    ShipmentNotFound,
)
from carriers.http import HttpStatusError, RetryPolicy
from carriers.lateness import lateness
from carriers.model import Shipment, ShipmentStatus
from carriers.postnl import PostNLCarrier
from carriers.resilience import CircuitBreakerCarrier
from herstel.clock import AMSTERDAM
from herstel.reltime import resolve

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 14, 10, 30, tzinfo=AMSTERDAM)  # the simulator's frozen clock
S = ShipmentStatus


def at(offset: str) -> datetime:
    return resolve(offset, NOW.astimezone(UTC))  # UTC: exact, even across summer time


Carriers = tuple[PostNLCarrier, DHLCarrier]


@pytest.fixture
def carriers(simulator: Any, session: aiohttp.ClientSession, sleeps: Any) -> Carriers:
    common: dict[str, Any] = {"base_url": simulator.base_url, "api_key": "demo", "sleep": sleeps}
    return PostNLCarrier(session, **common), DHLCarrier(session, **common)


@pytest.fixture
def track(carriers: Carriers) -> Callable[[str], Awaitable[Shipment]]:
    postnl, dhl = carriers
    return lambda number: (dhl if number.startswith("JVGL") else postnl).track(number)


STORIES = [
    # tracking number, status, status_at, expected window, delivered_at
    ("3SHRST100482", S.OUT_FOR_DELIVERY, "-3h", ("+35m", "+65m"), None),
    ("3SHRST100517", S.DELIVERED, "-20h", None, "-20h"),
    ("JVGL0560100301", S.DELIVERY_DELAYED, "-6h", ("+22h", "+26h"), None),
    ("3SHRST100302", S.OUT_FOR_DELIVERY, "-2h", ("+1h", "+3h"), None),
    ("JVGL0560100303", S.DELIVERED, "-3h", None, "-3h"),
    ("3SHRST100304", S.READY_FOR_PICKUP, "-5h", None, None),
    ("JVGL0560100305", S.LOST, "-6d", None, None),
    ("3SHRST100306", S.RETURN_TO_SENDER, "-2d", None, None),
    ("JVGL0560100311", S.IN_TRANSIT, "-10h", ("+20h", "+28h"), None),
    ("3SHRST100312", S.DELIVERED, "-4h", None, "-4h"),
    ("3SHRST100313", S.DELIVERED, "-2d", None, "-2d"),
]


@pytest.mark.parametrize(("number", "status", "since", "window", "delivered"), STORIES)
async def test_each_demo_parcel_tells_its_story_through_the_adapter(
    track: Callable[[str], Awaitable[Shipment]],
    number: str,
    status: ShipmentStatus,
    since: str,
    window: tuple[str, str] | None,
    delivered: str | None,
) -> None:
    shipment = await track(number)

    assert shipment.tracking_number == number
    assert shipment.status is status
    assert shipment.status_at == at(since)
    expected = shipment.expected and (shipment.expected.start, shipment.expected.end)
    assert expected == (window and (at(window[0]), at(window[1])))
    assert shipment.delivered_at == (delivered and at(delivered))
    assert [e.at for e in shipment.events] == sorted(e.at for e in shipment.events)
    assert all(e.at.tzinfo is AMSTERDAM for e in shipment.events)


async def test_the_laptop_is_an_hour_and_five_minutes_late_against_its_noon_promise(
    track: Callable[[str], Awaitable[Shipment]],
) -> None:
    shipment = await track("3SHRST100482")

    assert lateness(at("-30m"), shipment, NOW) == timedelta(minutes=65)
    assert (shipment.carrier_status_code, shipment.events[-1].code) == ("7", "J05")


async def test_the_pickup_point_is_named_on_the_latest_event(
    track: Callable[[str], Awaitable[Shipment]],
) -> None:
    shipment = await track("3SHRST100304")

    assert shipment.events[-1].location == "Primera Oudegracht, Oudegracht 132, Utrecht"


async def test_the_failed_first_attempt_is_kept_as_evidence_before_the_delivery(
    track: Callable[[str], Awaitable[Shipment]],
) -> None:
    codes = [event.code for event in (await track("3SHRST100313")).events]

    assert codes.index("Y10") < codes.index("I01")


async def test_the_delayed_dhl_parcel_keeps_dhls_own_words_as_evidence(
    track: Callable[[str], Awaitable[Shipment]],
) -> None:
    shipment = await track("JVGL0560100301")

    assert shipment.carrier_status_code == "transit"
    assert "delayed" in shipment.carrier_status_text.lower()
    assert shipment.events[-1].location == "Eindhoven"


@pytest.mark.parametrize("number", ["3SHRST100307", "3SHRST999999", "JVGL0560999999"])
async def test_unknown_or_not_yet_visible_parcels_are_not_found(
    track: Callable[[str], Awaitable[Shipment]], number: str
) -> None:
    with pytest.raises(ShipmentNotFound):
        await track(number)


async def test_a_dhl_number_asked_at_postnl_is_not_found(carriers: Carriers) -> None:
    with pytest.raises(ShipmentNotFound):
        await carriers[0].track("JVGL0560100311")


async def test_dhl_rate_limit_is_retried_then_reported_with_its_retry_after(
    carriers: Carriers, sleeps: list[float]
) -> None:
    with pytest.raises(CarrierRateLimited) as raised:
        await carriers[1].track("JVGL0560100308")

    assert raised.value.retry_after == 1.0
    assert len(sleeps) == 2 and all(seconds >= 1.0 for seconds in sleeps)


async def test_postnl_server_error_is_retried_then_unavailable(
    carriers: Carriers, sleeps: list[float]
) -> None:
    with pytest.raises(CarrierUnavailable) as raised:
        await carriers[0].track("3SHRST100310")

    assert not isinstance(raised.value, CarrierRateLimited)
    cause = raised.value.__cause__
    assert isinstance(cause, HttpStatusError) and cause.status == 500
    assert len(sleeps) == 2


async def test_a_slow_postnl_answer_times_out_as_unavailable(
    simulator: Any, session: aiohttp.ClientSession, sleeps: list[float]
) -> None:
    postnl = PostNLCarrier(
        session, base_url=simulator.base_url, api_key="demo", timeout=0.2, sleep=sleeps
    )
    started = time.monotonic()

    with pytest.raises(CarrierUnavailable) as raised:
        await postnl.track("3SHRST100309")

    assert isinstance(raised.value.__cause__, TimeoutError)
    assert len(sleeps) == 2  # three attempts, each cut off after 0.2 s
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("carrier_index", [0, 1])
async def test_a_missing_api_key_is_an_auth_error(
    simulator: Any, session: aiohttp.ClientSession, carrier_index: int
) -> None:
    adapter = (PostNLCarrier, DHLCarrier)[carrier_index]
    carrier = adapter(session, base_url=simulator.base_url, api_key="")

    with pytest.raises(CarrierAuthError):
        await carrier.track("3SHRST100482" if carrier_index == 0 else "JVGL0560100311")


async def test_moving_the_simulator_clock_moves_every_reported_time(
    simulator: Any, track: Callable[[str], Awaitable[Shipment]]
) -> None:
    simulator.clock.advance(timedelta(hours=1))

    shipment = await track("3SHRST100517")
    assert shipment.delivered_at == at("-19h")


async def test_a_failing_carrier_opens_the_breaker_and_then_fails_fast(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    adapter = PostNLCarrier(
        session, base_url=simulator.base_url, api_key="demo", retry=RetryPolicy(max_attempts=1)
    )
    breaker = CircuitBreakerCarrier(adapter, failure_threshold=2, clock=simulator.clock)
    for _ in range(2):
        with pytest.raises(CarrierUnavailable, match="HTTP 500"):
            await breaker.track("3SHRST100310")

    with pytest.raises(CarrierUnavailable, match="circuit open"):
        await breaker.track("3SHRST100310")
    assert breaker.is_open

"""Simulator bodies read back through the real parsers: every state means what it says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_args

import pytest

from carriers.dhl import parse_dhl
from carriers.model import ShipmentStatus
from carriers.postnl import parse_postnl
from carriers.simulator import dhl_body, postnl_body
from carriers.simulator.app import SimulatorClock
from carriers.simulator.scenarios import Scenario, State
from herstel.clock import AMSTERDAM, FrozenClock

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
MEANS: dict[str, ShipmentStatus] = {
    "announced": ShipmentStatus.PENDING,
    "received": ShipmentStatus.IN_TRANSIT,
    "sorted": ShipmentStatus.IN_TRANSIT,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "delayed": ShipmentStatus.DELIVERY_DELAYED,
    "out_for_delivery": ShipmentStatus.OUT_FOR_DELIVERY,
    "attempt_failed": ShipmentStatus.DELIVERY_FAILED,
    "at_pickup_point": ShipmentStatus.READY_FOR_PICKUP,
    "delivered": ShipmentStatus.DELIVERED,
    "returned": ShipmentStatus.RETURN_TO_SENDER,
    "lost": ShipmentStatus.LOST,
}
PICKUP = {
    "name": "Primera Oudegracht",
    "street": "Oudegracht",
    "house_number": "132",
    "postcode": "3511 AZ",
    "city": "Utrecht",
}


def _scenario(carrier: str, state: str) -> Scenario:
    return Scenario.model_validate(
        {
            "carrier": carrier,
            "pickup_point": PICKUP,
            "expected_window": {"from": "+1h", "to": "+3h"},
            "events": [{"at": "-1d", "state": "announced"}, {"at": "-2h", "state": state}],
        }
    )


def test_every_state_has_a_meaning_to_check() -> None:
    assert set(MEANS) == set(get_args(State))


@pytest.mark.parametrize("state", sorted(MEANS))
def test_each_postnl_state_parses_to_its_canonical_status(state: str) -> None:
    body = postnl_body.status_body("3SHRST1", _scenario("postnl", state), NOW, detail=True)
    shipment = parse_postnl(body, "3SHRST1")

    assert shipment.status is MEANS[state]
    assert shipment.status_at == NOW - timedelta(hours=2)
    assert [event.at for event in shipment.events] == [NOW - timedelta(days=1), shipment.status_at]


@pytest.mark.parametrize("state", sorted(MEANS))
def test_each_dhl_state_parses_to_its_canonical_status(state: str) -> None:
    body = dhl_body.shipments_body("JVGL1", _scenario("dhl", state), NOW)
    shipment = parse_dhl(body, "JVGL1")

    assert shipment.status is MEANS[state]
    assert shipment.status_at == NOW - timedelta(hours=2)
    assert len(shipment.events) == 2


@pytest.mark.parametrize("carrier", ["postnl", "dhl"])
def test_the_expected_window_comes_back_exactly(carrier: str) -> None:
    scenario = _scenario(carrier, "out_for_delivery")
    if carrier == "postnl":
        shipment = parse_postnl(postnl_body.status_body("X1", scenario, NOW, detail=True), "X1")
    else:
        shipment = parse_dhl(dhl_body.shipments_body("X1", scenario, NOW), "X1")

    assert shipment.expected is not None
    assert (shipment.expected.start, shipment.expected.end) == (
        NOW + timedelta(hours=1),
        NOW + timedelta(hours=3),
    )


@pytest.mark.parametrize("carrier", ["postnl", "dhl"])
def test_the_pickup_point_is_the_location_of_the_latest_event(carrier: str) -> None:
    scenario = _scenario(carrier, "at_pickup_point")
    if carrier == "postnl":
        shipment = parse_postnl(postnl_body.status_body("X1", scenario, NOW, detail=True), "X1")
    else:
        shipment = parse_dhl(dhl_body.shipments_body("X1", scenario, NOW), "X1")

    assert shipment.events[-1].location == "Primera Oudegracht, Oudegracht 132, Utrecht"


def test_postnl_current_status_has_the_same_status_but_no_events() -> None:
    scenario = _scenario("postnl", "delivered")
    body = postnl_body.status_body("3SHRST1", scenario, NOW, detail=False)

    assert set(body) == {"CurrentStatus"}
    shipment = parse_postnl(body, "3SHRST1")
    assert shipment.status is ShipmentStatus.DELIVERED and shipment.events == ()


def test_postnl_not_found_body_is_the_captured_no_shipment_response(
    postnl_response: Callable[[str], Any],
) -> None:
    assert postnl_body.not_found(detail=False) == postnl_response("nocurrentshipments")


def test_relative_times_stay_exact_across_the_change_to_summer_time() -> None:
    scenario = Scenario.model_validate(
        {"carrier": "postnl", "events": [{"at": "-12h", "state": "sorted"}]}
    )
    noon_on_the_change = datetime(2025, 3, 30, 12, 0, tzinfo=AMSTERDAM)  # summer time

    body = postnl_body.status_body("3SHRST1", scenario, noon_on_the_change, detail=False)

    # Twelve real hours earlier is 23:00 winter time the evening before, not 00:00.
    assert body["CurrentStatus"]["Shipment"]["Status"]["TimeStamp"] == "29-03-2025 23:00:00"


def test_setting_the_simulator_clock_across_summer_time_lands_on_the_exact_instant() -> None:
    clock = SimulatorClock(FrozenClock(datetime(2025, 3, 14, 10, 30, tzinfo=AMSTERDAM)))
    # A fixed offset, as a client sends it: equality across tzinfos compares instants.
    target = datetime(2025, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))

    clock.set(target)
    assert clock.now() == target
    clock.advance(timedelta(hours=1))
    assert clock.now() == target + timedelta(hours=1)

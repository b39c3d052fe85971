"""parse_postnl against captured PostNL Shipping Status responses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from carriers.errors import CarrierResponseError, ShipmentNotFound
from carriers.model import ShipmentStatus
from carriers.postnl import parse_postnl
from herstel.clock import AMSTERDAM

Load = Callable[[str], Any]


def _status_payload(code: str, phase: str = "3", events: list[dict[str, str]] | None = None) -> Any:
    shipment: dict[str, Any] = {
        "Barcode": "3SABCD1234567",
        "Status": {
            "TimeStamp": "14-03-2025 10:00:00",
            "StatusCode": code,
            "StatusDescription": f"status {code}",
            "PhaseCode": phase,
        },
    }
    if events is not None:
        shipment["Event"] = events
    return {"CompleteStatus": {"Shipment": shipment}}


def test_delivered_complete_status_maps_to_delivered_with_time_and_evidence(
    postnl_response: Load,
) -> None:
    shipment = parse_postnl(postnl_response("completestatus3"), "3SABCD987516327")

    assert shipment.carrier == "postnl"
    assert shipment.status is ShipmentStatus.DELIVERED
    assert (shipment.carrier_status_code, shipment.carrier_status_text) == (
        "11",
        "Zending afgeleverd",
    )
    assert shipment.delivered_at == datetime(2021, 3, 26, 15, 6, 53, tzinfo=AMSTERDAM)
    assert shipment.status_at == shipment.delivered_at


def test_events_are_sorted_oldest_first_even_when_postnl_sends_them_out_of_order(
    postnl_response: Load,
) -> None:
    shipment = parse_postnl(postnl_response("completestatus3"), "3SABCD987516327")

    # Sent newest-first except J01, which PostNL lists after B01 although it happened earlier.
    assert [event.code for event in shipment.events] == ["J01", "A01", "B01", "J05", "01B"]
    assert [event.at for event in shipment.events] == sorted(event.at for event in shipment.events)
    assert shipment.events[-1].description == "Zending is bezorgd"


def test_event_times_are_amsterdam_local_time_with_the_right_offset(postnl_response: Load) -> None:
    shipment = parse_postnl(postnl_response("completestatus3"), "3SABCD987516327")

    first = shipment.events[0]
    assert first.at.tzinfo is AMSTERDAM
    assert first.at.utcoffset() == timedelta(hours=1)  # March 25th 2021: still winter time


def test_expectation_becomes_the_expected_delivery_window(postnl_response: Load) -> None:
    shipment = parse_postnl(postnl_response("completestatus"), "3SDEVC123456789")

    assert shipment.expected is not None
    assert shipment.expected.start == datetime(2018, 3, 8, 11, 30, tzinfo=AMSTERDAM)
    assert shipment.expected.end == datetime(2018, 3, 8, 14, 0, tzinfo=AMSTERDAM)


def test_a_parcel_received_by_postnl_is_in_transit(postnl_response: Load) -> None:
    shipment = parse_postnl(postnl_response("completestatus"), "3SDEVC123456789")

    assert shipment.status is ShipmentStatus.IN_TRANSIT
    assert shipment.delivered_at is None
    assert len(shipment.events) == 3


def test_a_single_event_sent_as_an_object_is_read_as_one_event(postnl_response: Load) -> None:
    shipment = parse_postnl(postnl_response("completestatus2"), "3SDEVC123456789")

    assert [(event.code, event.description) for event in shipment.events] == [
        ("01B", "Zending is bij PostNL")
    ]


@pytest.mark.parametrize(
    ("fixture", "barcode", "status"),
    [
        ("currentstatus", "3SDEVC302392342", ShipmentStatus.IN_TRANSIT),
        ("currentstatus2", "3SDEVC302392342", ShipmentStatus.IN_TRANSIT),
        ("currentstatus3", "3SABCD987040009", ShipmentStatus.DELIVERED),
    ],
)
def test_current_status_without_events_still_gives_status_and_time(
    postnl_response: Load, fixture: str, barcode: str, status: ShipmentStatus
) -> None:
    shipment = parse_postnl(postnl_response(fixture), barcode)

    assert shipment.status is status
    assert shipment.events == ()
    assert shipment.status_at is not None and shipment.status_at.tzinfo is AMSTERDAM


def test_no_shipment_found_warning_raises_shipment_not_found(postnl_response: Load) -> None:
    with pytest.raises(ShipmentNotFound, match="No shipment found"):
        parse_postnl(postnl_response("nocurrentshipments"), "3SHRST100307")


def test_a_response_without_any_status_is_a_response_error() -> None:
    with pytest.raises(CarrierResponseError):
        parse_postnl({"Something": "else"}, "3SHRST100307")


def test_an_unreadable_timestamp_is_a_response_error(postnl_response: Load) -> None:
    payload = postnl_response("currentstatus")
    payload["CurrentStatus"]["Shipment"]["Status"]["TimeStamp"] = "yesterday"

    with pytest.raises(CarrierResponseError) as raised:
        parse_postnl(payload, "3SDEVC302392342")
    assert isinstance(raised.value.__cause__, ValueError)


@pytest.mark.parametrize(
    ("code", "phase", "status"),
    [
        ("1", "1", ShipmentStatus.PENDING),
        ("5", "2", ShipmentStatus.IN_TRANSIT),
        ("6", "2", ShipmentStatus.DELIVERY_DELAYED),
        ("7", "3", ShipmentStatus.OUT_FOR_DELIVERY),
        ("8", "3", ShipmentStatus.DELIVERY_FAILED),
        ("9", "3", ShipmentStatus.ON_HOLD),
        ("11", "4", ShipmentStatus.DELIVERED),
        ("12", "4", ShipmentStatus.READY_FOR_PICKUP),
        ("14", "1", ShipmentStatus.CANCELLED),
        ("15", "1", ShipmentStatus.LOST),
        ("18", "1", ShipmentStatus.LOST),
        ("22", "4", ShipmentStatus.DELIVERED),
        ("27", "3", ShipmentStatus.RETURN_TO_SENDER),
        ("99", "99", ShipmentStatus.UNKNOWN),
        ("42", "4", ShipmentStatus.DELIVERED),  # an unseen code falls back on its phase
        ("42", "77", ShipmentStatus.UNKNOWN),
    ],
)
def test_status_and_phase_codes_map_to_the_canonical_status(
    code: str, phase: str, status: ShipmentStatus
) -> None:
    assert parse_postnl(_status_payload(code, phase), "3SABCD1234567").status is status


@pytest.mark.parametrize(
    ("code", "event", "status"),
    [
        ("8", "Y21", ShipmentStatus.RETURN_TO_SENDER),  # Zending retour afzender
        ("8", "Y71", ShipmentStatus.LOST),  # Zending is vermist
        ("8", "Y10", ShipmentStatus.DELIVERY_FAILED),  # missed you, will try again
        ("5", "J07", ShipmentStatus.DELIVERY_DELAYED),  # postponed to next working day
        ("11", "Y21", ShipmentStatus.DELIVERED),  # a delivery is not re-read from events
    ],
)
def test_the_latest_event_refines_what_a_status_code_hides(
    code: str, event: str, status: ShipmentStatus
) -> None:
    events = [
        {"Code": "J05", "Description": "Bezorger is onderweg", "TimeStamp": "14-03-2025 08:00:00"},
        {"Code": event, "Description": "latest", "TimeStamp": "14-03-2025 10:00:00"},
    ]
    assert parse_postnl(_status_payload(code, events=events), "3SABCD1234567").status is status


def test_the_pickup_point_address_names_the_location_of_the_pickup_event() -> None:
    payload = _status_payload(
        "12",
        "4",
        events=[{"Code": "J02", "Description": "klaar", "TimeStamp": "14-03-2025 10:00:00"}],
    )
    payload["CompleteStatus"]["Shipment"]["Address"] = [
        {"AddressType": "01", "City": "Utrecht", "CompanyName": {}},
        {
            "AddressType": "09",
            "CompanyName": "Primera Oudegracht",
            "Street": "Oudegracht",
            "HouseNumber": "132",
            "City": "Utrecht",
        },
    ]
    shipment = parse_postnl(payload, "3SABCD1234567")

    assert shipment.status is ShipmentStatus.READY_FOR_PICKUP
    assert shipment.events[-1].location == "Primera Oudegracht, Oudegracht 132, Utrecht"


def test_summer_time_stamps_get_the_summer_offset() -> None:
    payload = _status_payload("7")
    payload["CompleteStatus"]["Shipment"]["Status"]["TimeStamp"] = "30-03-2025 03:30:00"

    status_at = parse_postnl(payload, "3SABCD1234567").status_at
    assert status_at is not None and status_at.utcoffset() == timedelta(hours=2)

"""PostNL-shaped bodies, as in the captured Shipping Status v2 responses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from carriers.simulator.scenarios import Event, PickupPoint, Scenario
from carriers.timestamps import format_local_iso, format_postnl_timestamp


class _Code(NamedTuple):
    status: str
    status_text: str
    phase: str
    event: str
    event_text: str


# Real status and event codes from PostNL's reference, one typical event per state.
_CODES: dict[str, _Code] = {
    "announced": _Code(
        status="1",
        status_text="Zending voorgemeld",
        phase="1",
        event="A01",
        event_text="Pakket is nog niet door PostNL ontvangen of verwerkt",
    ),
    "received": _Code(
        status="2",
        status_text="Zending in ontvangst genomen",
        phase="1",
        event="B01",
        event_text="Zending is ontvangen door PostNL",
    ),
    "sorted": _Code("5", "Zending gesorteerd", "2", "J01", "Zending is gesorteerd"),
    "in_transit": _Code(
        status="5",
        status_text="Zending gesorteerd",
        phase="2",
        event="J06",
        event_text="Zending gesorteerd in sorteercentrum",
    ),
    "delayed": _Code(
        status="5",
        status_text="Zending gesorteerd",
        phase="2",
        event="J07",
        event_text="Gesloten: aflevering uitgesteld tot volgende werkdag",
    ),
    "out_for_delivery": _Code(
        "7", "Zending in distributieproces", "3", "J05", "Bezorger is onderweg"
    ),
    "attempt_failed": _Code(
        status="8",
        status_text="Zending niet afgeleverd",
        phase="3",
        event="Y10",
        event_text="We hebben je gemist, we komen nog een keer",
    ),
    "at_pickup_point": _Code(
        status="12",
        status_text="Zending beschikbaar op afhaallocatie",
        phase="4",
        event="J02",
        event_text="Pakket ligt voor je klaar op PostNL-punt",
    ),
    "delivered": _Code("11", "Zending afgeleverd", "4", "I01", "Zending is bezorgd"),
    "returned": _Code(
        status="27",
        status_text="Retour onbestelbaar",
        phase="3",
        event="H16",
        event_text="Bezorging niet gelukt, pakket gaat terug naar de afzender",
    ),
    "lost": _Code("17", "Manco distributie", "3", "Y71", "Zending is vermist"),
}
_PHASES = {"1": "Collectie", "2": "Sortering", "3": "Distributie", "4": "Afgeleverd"}

UNAUTHORIZED = {
    "fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
}
RATE_LIMITED = {
    "fault": {
        "faultstring": "Rate limit quota violation. Quota limit exceeded.",
        "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
    }
}
SERVER_ERROR = {"Errors": [{"Code": "999", "Description": "Internal server error"}]}


def not_found(*, detail: bool) -> dict[str, Any]:
    """PostNL answers an unknown barcode with HTTP 200 and a warning."""
    key = "CompleteStatus" if detail else "CurrentStatus"
    return {key: {}, "Warnings": [{"Message": "No shipment found", "Code": "2"}]}


def status_body(barcode: str, scenario: Scenario, now: datetime, *, detail: bool) -> dict[str, Any]:
    """detail=true gives CompleteStatus with events and old statuses; else CurrentStatus."""
    now = now.astimezone(UTC)  # exact offsets: Amsterdam arithmetic is wall-clock
    shipment: dict[str, Any] = {
        "MainBarcode": barcode,
        "Barcode": barcode,
        "ShipmentAmount": "1",
        "ShipmentCounter": "1",
        "Customer": {"CustomerCode": "HRST", "CustomerNumber": "10482517", "Name": "Herstel Demo"},
        "ProductCode": "003085",
        "ProductDescription": "Standaard zending",
        "Reference": {},
        "Address": _addresses(scenario.pickup_point),
    }
    newest_first = list(reversed(scenario.events))
    if detail:
        shipment["Event"] = [_event(event, now) for event in newest_first]
    if scenario.expected_window is not None:
        shipment["Expectation"] = {
            "ETAFrom": format_local_iso(now + scenario.expected_window.start),
            "ETATo": format_local_iso(now + scenario.expected_window.end),
        }
    shipment["Status"] = _status(scenario.current, now)
    if detail:
        shipment["OldStatus"] = [_status(event, now) for event in newest_first]
    key = "CompleteStatus" if detail else "CurrentStatus"
    return {key: {"Shipment": shipment}}


def _status(event: Event, now: datetime) -> dict[str, str]:
    code = _CODES[event.state]
    return {
        "TimeStamp": format_postnl_timestamp(now + event.at),
        "StatusCode": code.status,
        "StatusDescription": code.status_text,
        "PhaseCode": code.phase,
        "PhaseDescription": _PHASES[code.phase],
    }


def _event(event: Event, now: datetime) -> dict[str, Any]:
    code = _CODES[event.state]
    return {
        "Code": code.event,
        "Description": event.description or code.event_text,
        "DestinationLocationCode": {},
        "LocationCode": "888888" if event.state == "announced" else "161102",
        "RouteCode": {},
        "RouteName": {},
        "TimeStamp": format_postnl_timestamp(now + event.at),
    }


def _addresses(pickup: PickupPoint | None) -> list[dict[str, Any]]:
    addresses = [
        _address("01", city="Utrecht"),  # the receiver; the demo shop holds the real one
        _address(
            "02",
            company="Herstel Demo Shop",
            street="Stationsplein",
            number="1",
            zipcode="3511ED",
            city="Utrecht",
        ),
    ]
    if pickup is not None:  # type 09: deliver at this PostNL location
        addresses.append(
            _address(
                "09",
                company=pickup.name,
                street=pickup.street,
                number=pickup.house_number,
                zipcode=pickup.postcode.replace(" ", ""),
                city=pickup.city,
            )
        )
    return addresses


def _address(
    kind: str,
    *,
    company: str = "",
    street: str = "",
    number: str = "",
    zipcode: str = "",
    city: str = "",
) -> dict[str, Any]:
    # PostNL's JSON comes from XML: an empty element is {}.
    return {
        "AddressType": kind,
        "City": city or {},
        "CompanyName": company or {},
        "CountryCode": "NL",
        "HouseNumber": number or {},
        "Street": street or {},
        "Zipcode": zipcode or {},
    }

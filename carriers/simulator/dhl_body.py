"""DHL-shaped bodies, as in the Unified Shipment Tracking API 1.3.1 schema and examples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from carriers.simulator.scenarios import Event, Scenario
from herstel.clock import AMSTERDAM

# state -> (statusCode, status, description); descriptions in DHL's parcel-nl style.
_CODES: dict[str, tuple[str, str, str]] = {
    "announced": (
        "pre-transit",
        "PRE-TRANSIT",
        "The instruction data for this shipment have been provided by the sender to DHL",
    ),
    "received": ("transit", "TRANSIT", "The shipment has been accepted by DHL"),
    "sorted": ("transit", "TRANSIT", "The shipment has been processed in the parcel center"),
    "in_transit": ("transit", "TRANSIT", "The shipment is on its way to the delivery depot"),
    "delayed": ("transit", "TRANSIT", "Delivery delayed: the shipment will arrive a day later"),
    "out_for_delivery": (
        "transit",
        "TRANSIT",
        "The shipment has been loaded onto the delivery vehicle",
    ),
    "attempt_failed": (
        "failure",
        "FAILURE",
        "Delivery attempt failed: the recipient was not at home",
    ),
    "at_pickup_point": ("transit", "TRANSIT", "The shipment is ready for pickup at a ServicePoint"),
    "delivered": ("delivered", "DELIVERED", "The shipment has been delivered"),
    "returned": ("transit", "TRANSIT", "The shipment is being returned to the sender"),
    "lost": ("failure", "FAILURE", "The shipment could not be located and is considered lost"),
}

UNAUTHORIZED = {"title": "Unauthorized", "status": 401, "detail": "Invalid or missing API key."}
RATE_LIMITED = {
    "title": "Too many requests",
    "status": 429,
    "detail": "The daily request quota for this API key has been used up.",
}
SERVER_ERROR = {"title": "Internal Server Error", "status": 500, "detail": "Unexpected error."}
BAD_REQUEST = {
    "title": "Bad request",
    "status": 400,
    "detail": "The trackingNumber query parameter is required.",
}


def not_found(tracking_number: str) -> dict[str, Any]:
    """The 404 problem+json from the API's own example."""
    return {
        "title": "No result found",
        "detail": "No shipment with given tracking number found.",
        "status": 404,
        "instance": f"/shipment/{tracking_number}",
    }


def shipments_body(tracking_number: str, scenario: Scenario, now: datetime) -> dict[str, Any]:
    now = now.astimezone(UTC)  # exact offsets: Amsterdam arithmetic is wall-clock
    shipment: dict[str, Any] = {
        "id": tracking_number,
        "service": "parcel-nl",
        "origin": {"address": {"countryCode": "NL", "addressLocality": "Utrecht"}},
        "destination": {"address": {"countryCode": "NL"}},
        "status": _event(scenario.current, scenario, now),
        "details": {"product": {"productName": "DHL Parcel"}, "totalNumberOfPieces": 1},
        "events": [_event(event, scenario, now) for event in reversed(scenario.events)],
    }
    window = scenario.expected_window
    if window is not None:
        shipment["estimatedTimeOfDelivery"] = _iso(now + window.start)
        shipment["estimatedDeliveryTimeFrame"] = {
            "estimatedFrom": _iso(now + window.start),
            "estimatedThrough": _iso(now + window.end),
        }
    return {"shipments": [shipment]}


def _event(event: Event, scenario: Scenario, now: datetime) -> dict[str, Any]:
    status_code, status, description = _CODES[event.state]
    body: dict[str, Any] = {
        "timestamp": _iso(now + event.at),
        "statusCode": status_code,
        "status": status,
        "description": event.description or description,
    }
    location = event.location
    if event.state == "at_pickup_point" and scenario.pickup_point is not None:
        location = location or scenario.pickup_point.label
    if location:
        body["location"] = {"address": {"addressLocality": location}}
    return body


def _iso(at: datetime) -> str:
    return at.astimezone(AMSTERDAM).isoformat(timespec="seconds")

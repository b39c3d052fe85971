"""Recorded carrier responses for the parser tests: PostNL captures and DHL's own examples."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers"


def _http_body(path: Path) -> Any:
    """The JSON body of a captured HTTP response (status line and headers dropped)."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    _, _, body = text.partition("\n\n")
    return json.loads(body)


@pytest.fixture
def postnl_response() -> Callable[[str], Any]:
    return lambda name: _http_body(FIXTURES / "postnl" / f"{name}.http")


@pytest.fixture(scope="session")
def dhl_spec() -> dict[str, Any]:
    path = FIXTURES / "dhl" / "dhl_shipment_tracking_unified_openapi_1.3.1.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def dhl_example(dhl_spec: dict[str, Any]) -> dict[str, Any]:
    """A /track/shipments response assembled from the example values in DHL's OpenAPI file."""
    schemas = dhl_spec["components"]["schemas"]
    event_props = schemas["supermodelIoLogisticsTrackingShipmentEvent"]["properties"]
    shipment_props = schemas["supermodelIoLogisticsTrackingShipment"]["properties"]
    frame = shipment_props["estimatedDeliveryTimeFrame"]["properties"]
    place = schemas["supermodelIoLogisticsSupportingPlace"]["example"]
    event = {
        "timestamp": event_props["timestamp"]["example"],
        "location": place,
        "statusCode": "delivered",
        "status": event_props["status"]["example"],
        "description": event_props["description"]["example"],
        "pieceIds": event_props["pieceIds"]["example"],
        "remark": event_props["remark"]["example"],
        "nextSteps": event_props["nextSteps"]["example"],
    }
    shipment = {
        "id": str(shipment_props["id"]["example"]),
        "service": shipment_props["service"]["example"],
        "origin": place,
        "destination": place,
        "status": event,
        "estimatedTimeOfDelivery": shipment_props["estimatedTimeOfDelivery"]["example"],
        "estimatedDeliveryTimeFrame": {
            "estimatedFrom": frame["estimatedFrom"]["example"],
            "estimatedThrough": frame["estimatedThrough"]["example"],
        },
        "events": [event],
    }
    return {"shipments": [shipment]}


@pytest.fixture
def dhl_not_found_example(dhl_spec: dict[str, Any]) -> dict[str, Any]:
    response = dhl_spec["components"]["responses"]["shipmentNotFound"]
    return response["content"]["application/problem+json"]["schema"]["example"]

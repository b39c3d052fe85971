"""Which response tells the customer what was found, and with which values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carriers.model import Shipment, ShipmentStatus
from policies import ComplaintType
from recovery import phrases
from recovery.agreement import contradicts
from recovery.diagnosis import Diagnosis, Finding

CARRIER_NAMES = {"postnl": "PostNL", "dhl": "DHL"}

_ON_THE_WAY = {
    ShipmentStatus.PENDING,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.DELIVERY_DELAYED,
    ShipmentStatus.ON_HOLD,
}
_SIMPLE = {
    ShipmentStatus.DELIVERY_FAILED: "utter_parcel_delivery_failed",
    ShipmentStatus.LOST: "utter_parcel_lost",
    ShipmentStatus.RETURN_TO_SENDER: "utter_parcel_returned",
}


@dataclass(frozen=True)
class Reply:
    response: str
    params: dict[str, Any] = field(default_factory=dict)


_FACTS_DIFFER = {
    ComplaintType.LATE_DELIVERY: "utter_facts_differ_late_delivery",
    ComplaintType.DAMAGED_PRODUCT: "utter_facts_differ_damaged_product",
    ComplaintType.WRONG_ITEM: "utter_facts_differ_wrong_item",
    ComplaintType.MISSING_ITEM: "utter_facts_differ_missing_item",
}


def disagreement_reply(complaint: str | None, diagnosis: Diagnosis) -> Reply | None:
    """What to say before the facts when the carrier says otherwise than the customer."""
    if complaint not in {c.value for c in _FACTS_DIFFER}:
        return None
    complaint_type = ComplaintType(complaint)
    if not contradicts(complaint_type, diagnosis):
        return None
    carrier = CARRIER_NAMES.get(diagnosis.order.carrier, "") if diagnosis.order else ""
    return Reply(_FACTS_DIFFER[complaint_type], {"carrier": carrier})


def parcel_reply(diagnosis: Diagnosis, language: str | None) -> Reply:
    carrier = CARRIER_NAMES.get(diagnosis.order.carrier, "") if diagnosis.order else ""
    if diagnosis.finding is Finding.ORDER_NOT_FOUND:
        return Reply("utter_order_not_found")
    if diagnosis.finding is Finding.NOT_YET_AT_CARRIER:
        return Reply("utter_parcel_not_yet_at_carrier", {"carrier": carrier})
    if diagnosis.finding is Finding.CARRIER_UNAVAILABLE or diagnosis.shipment is None:
        return Reply("utter_carrier_unavailable", {"carrier": carrier})
    return _status_reply(diagnosis, diagnosis.shipment, carrier, language)


def _status_reply(d: Diagnosis, shipment: Shipment, carrier: str, language: str | None) -> Reply:
    params: dict[str, Any] = {"carrier": carrier, "late_by": phrases.duration(d.late_by, language)}
    status = shipment.status
    if status is ShipmentStatus.DELIVERED:
        at = shipment.delivered_at or shipment.status_at or d.checked_at
        params |= {"day": phrases.day(at, d.checked_at, language), "time": phrases.clock_time(at)}
        return Reply("utter_parcel_delivered", params)
    if status is ShipmentStatus.READY_FOR_PICKUP:
        location = next((e.location for e in reversed(shipment.events) if e.location), None)
        return Reply("utter_parcel_ready_for_pickup", params | {"location": location or "-"})
    if status in _SIMPLE:
        return Reply(_SIMPLE[status], params)
    if status is ShipmentStatus.OUT_FOR_DELIVERY or status in _ON_THE_WAY:
        stem = "out_for_delivery" if status is ShipmentStatus.OUT_FOR_DELIVERY else "on_the_way"
        return Reply(_on_the_way_response(stem, d), params | _window(shipment, d, language))
    return Reply("utter_parcel_status_unclear", params)


def _on_the_way_response(stem: str, d: Diagnosis) -> str:
    timing = "late" if d.is_late else "on_time"
    window = "" if d.shipment and d.shipment.expected else "_no_window"
    return f"utter_parcel_{stem}_{timing}{window}"


def _window(shipment: Shipment, d: Diagnosis, language: str | None) -> dict[str, str]:
    if shipment.expected is None:
        return {}
    return {
        "day": phrases.day(shipment.expected.start, d.checked_at, language),
        "start": phrases.clock_time(shipment.expected.start),
        "end": phrases.clock_time(shipment.expected.end),
    }

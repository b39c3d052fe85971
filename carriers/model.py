"""The normalised shipment every carrier adapter returns, and the Carrier interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class ShipmentStatus(StrEnum):
    PENDING = "pending"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    DELIVERY_DELAYED = "delivery_delayed"
    DELIVERY_FAILED = "delivery_failed"
    ON_HOLD = "on_hold"
    RETURN_TO_SENDER = "return_to_sender"
    CANCELLED = "cancelled"
    LOST = "lost"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One carrier event, kept as evidence with the carrier's own code."""

    at: datetime  # timezone-aware
    code: str
    description: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Shipment:
    carrier: str  # "postnl", "dhl"
    tracking_number: str
    status: ShipmentStatus
    carrier_status_code: str  # the carrier's own code, as evidence
    carrier_status_text: str
    status_at: datetime | None = None
    expected: DeliveryWindow | None = None
    delivered_at: datetime | None = None
    events: tuple[TrackingEvent, ...] = field(default=())


class Carrier(Protocol):
    """What Herstel needs from a carrier: where is this parcel now."""

    name: str

    async def track(self, tracking_number: str) -> Shipment:
        """Raise carriers.errors.ShipmentNotFound or CarrierUnavailable on failure."""
        ...

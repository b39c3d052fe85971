"""How late a shipment is against the shop's promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from carriers.model import Shipment, ShipmentStatus


def lateness(promised_by: datetime, shipment: Shipment, now: datetime) -> timedelta:
    """How far past the promise delivery was or will be; zero when on time.

    Delivered: the delivery time counts. Otherwise the later of now and the start of the
    carrier's expected window: the parcel is at least that late, so we never overstate.
    """
    if shipment.status is ShipmentStatus.DELIVERED and shipment.delivered_at:
        arrival = shipment.delivered_at
    else:
        arrival = now
        if shipment.expected is not None:
            arrival = max(arrival, shipment.expected.start)
    # In UTC: Python subtracts datetimes sharing a tzinfo by wall clock, wrong across DST.
    return max(arrival.astimezone(UTC) - promised_by.astimezone(UTC), timedelta(0))

"""What is really going on with an order: the facts the bot answers and decides with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from carriers.model import Shipment
from shop.model import Order


class Finding(StrEnum):
    FOUND = "found"  # order and carrier facts known
    ORDER_NOT_FOUND = "order_not_found"  # no such order, or the second fact did not match
    NOT_YET_AT_CARRIER = "not_yet_at_carrier"  # the carrier does not know the parcel yet
    CARRIER_UNAVAILABLE = "carrier_unavailable"  # the carrier did not answer usefully


@dataclass(frozen=True, slots=True)
class Diagnosis:
    finding: Finding
    checked_at: datetime
    order: Order | None = None
    shipment: Shipment | None = None
    late_by: timedelta = timedelta(0)

    @property
    def is_late(self) -> bool:
        return self.late_by > timedelta(0)

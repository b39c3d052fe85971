"""The recovery service: checks the facts of a complaint with the shop and the carrier."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from carriers.errors import CarrierError, CarrierUnavailable, ShipmentNotFound
from carriers.lateness import lateness
from carriers.model import Carrier
from herstel.clock import Clock
from recovery.diagnosis import Diagnosis, Finding
from shop.model import Shop

log = logging.getLogger(__name__)


class RecoveryService:
    def __init__(self, shop: Shop, carriers: Mapping[str, Carrier], clock: Clock) -> None:
        self._shop = shop
        self._carriers = carriers
        self._clock = clock

    async def diagnose(self, order_number: str, postcode: str) -> Diagnosis:
        """Look the order up, check the second fact, then ask its carrier.

        An unknown order and a wrong postcode give the same finding, so order numbers
        cannot be enumerated.
        """
        order = await self._shop.find_order(order_number)
        if order is None or order.postcode != postcode:
            log.info("order %s not found or identity mismatch", order_number)
            return Diagnosis(Finding.ORDER_NOT_FOUND, self._clock.now())
        carrier = self._carriers.get(order.carrier)
        if carrier is None:
            log.error("order %s ships with unconfigured carrier %s", order.number, order.carrier)
            return Diagnosis(Finding.CARRIER_UNAVAILABLE, self._clock.now(), order)
        try:
            shipment = await carrier.track(order.tracking_number)
        except ShipmentNotFound:
            return Diagnosis(Finding.NOT_YET_AT_CARRIER, self._clock.now(), order)
        except CarrierUnavailable as exc:
            log.warning("carrier %s unavailable for order %s: %s", order.carrier, order.number, exc)
            return Diagnosis(Finding.CARRIER_UNAVAILABLE, self._clock.now(), order)
        except CarrierError:
            log.exception("carrier %s failed for order %s", order.carrier, order.number)
            return Diagnosis(Finding.CARRIER_UNAVAILABLE, self._clock.now(), order)
        now = self._clock.now()
        late_by = lateness(order.promised_by, shipment, now)
        return Diagnosis(Finding.FOUND, now, order, shipment, late_by)

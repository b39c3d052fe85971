"""DHL Shipment Tracking (Unified): the adapter and the pure parser into a canonical Shipment."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aiohttp

from carriers.errors import CarrierResponseError, ShipmentNotFound
from carriers.http import CarrierHttp, RetryPolicy, Sleep
from carriers.model import DeliveryWindow, Shipment, TrackingEvent
from carriers.model import ShipmentStatus as S
from carriers.timestamps import parse_iso

NAME = "dhl"

_STATUS_CODES: dict[str, S] = {
    "pre-transit": S.PENDING,
    "transit": S.IN_TRANSIT,
    "delivered": S.DELIVERED,
    "failure": S.DELIVERY_FAILED,
    "unknown": S.UNKNOWN,
}
_ANY_OPEN = frozenset({S.PENDING, S.IN_TRANSIT, S.DELIVERY_FAILED, S.UNKNOWN})
# statusCode has five values; the texts tell the rest. First match wins, and each hint
# only refines the statusCodes it can sensibly follow (a "delivered" is not made "delayed").
_HINTS: tuple[tuple[re.Pattern[str], S, frozenset[S]], ...] = (
    (
        re.compile(r"return\w*\s+(to\s+)?(the\s+)?(sender|shipper)|being returned"),
        S.RETURN_TO_SENDER,
        _ANY_OPEN | {S.DELIVERED},
    ),
    (re.compile(r"\blost\b|could not be (located|found)|\bmissing\b"), S.LOST, _ANY_OPEN),
    (
        re.compile(r"attempt|not at home|could not be delivered|not delivered|recipient not"),
        S.DELIVERY_FAILED,
        _ANY_OPEN,
    ),
    (
        re.compile(r"pick ?up|service ?point|parcel ?shop|locker|packstation|for collection"),
        S.READY_FOR_PICKUP,
        frozenset({S.IN_TRANSIT, S.UNKNOWN}),
    ),
    (re.compile(r"delay"), S.DELIVERY_DELAYED, frozenset({S.PENDING, S.IN_TRANSIT, S.UNKNOWN})),
    (
        re.compile(r"out for delivery|delivery vehicle|with (the )?(delivery )?courier"),
        S.OUT_FOR_DELIVERY,
        frozenset({S.IN_TRANSIT}),
    ),
)


class DHLCarrier:
    """Tracks one parcel with GET /track/shipments?trackingNumber=..."""

    name = NAME

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 5.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._http = CarrierHttp(session, carrier=NAME, timeout=timeout, retry=retry, sleep=sleep)

    async def track(self, tracking_number: str) -> Shipment:
        number = tracking_number.strip().upper()
        if not number:
            raise ShipmentNotFound("dhl: empty tracking number")
        payload = await self._http.get_json(
            f"{self._base_url}/track/shipments",
            headers={"DHL-API-Key": self._api_key, "Accept": "application/json"},
            params={"trackingNumber": number},
        )
        return parse_dhl(payload, number)


def parse_dhl(payload: Mapping[str, Any], tracking_number: str) -> Shipment:
    """A /track/shipments response -> Shipment; no I/O."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("shipments", []), list):
        raise CarrierResponseError("dhl sent a response without a shipments list")
    shipments = [s for s in payload.get("shipments", []) if isinstance(s, Mapping)]
    if not shipments:
        raise ShipmentNotFound(f"dhl does not know {tracking_number}")
    raw = next((s for s in shipments if s.get("id") == tracking_number), shipments[0])
    try:
        return _shipment(raw, tracking_number)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CarrierResponseError(f"dhl sent an unreadable shipment: {exc!r}") from exc


def classify(status: Mapping[str, Any]) -> S:
    """The canonical status from statusCode, refined by statusDetailed and the texts."""
    base = _STATUS_CODES.get(str(status.get("statusCode", "unknown")), S.UNKNOWN)
    texts = (status.get(k) for k in ("statusDetailed", "status", "description", "remark"))
    said = " ".join(t for t in texts if isinstance(t, str)).lower().replace("-", " ")
    said = said.replace("_", " ")
    for pattern, refined, applies_to in _HINTS:
        if base in applies_to and pattern.search(said):
            return refined
    return base


def _shipment(raw: Mapping[str, Any], tracking_number: str) -> Shipment:
    status = raw.get("status") or {}
    events = tuple(sorted((_event(e) for e in raw.get("events") or []), key=lambda e: e.at))
    canonical = classify(status)
    status_at = _time(status.get("timestamp")) or (events[-1].at if events else None)
    return Shipment(
        carrier=NAME,
        tracking_number=tracking_number,
        status=canonical,
        carrier_status_code=str(status.get("statusDetailed") or status.get("statusCode") or ""),
        carrier_status_text=str(status.get("description") or status.get("status") or ""),
        status_at=status_at,
        expected=_window(raw),
        delivered_at=status_at if canonical is S.DELIVERED else None,
        events=events,
    )


def _event(raw: Mapping[str, Any]) -> TrackingEvent:
    at = _time(raw.get("timestamp"))
    if at is None:
        raise ValueError(f"event without timestamp: {raw!r}")
    return TrackingEvent(
        at=at,
        code=str(raw.get("statusDetailed") or raw.get("statusCode") or "unknown"),
        description=str(raw.get("description") or raw.get("status") or ""),
        location=_locality(raw.get("location")),
    )


def _window(raw: Mapping[str, Any]) -> DeliveryWindow | None:
    frame = raw.get("estimatedDeliveryTimeFrame") or {}
    start, end = _time(frame.get("estimatedFrom")), _time(frame.get("estimatedThrough"))
    if start and end:
        return DeliveryWindow(start=start, end=end)
    eta = _time(raw.get("estimatedTimeOfDelivery")) or start or end
    return DeliveryWindow(start=eta, end=eta) if eta else None


def _locality(location: Any) -> str | None:
    address = location.get("address") if isinstance(location, Mapping) else None
    if not isinstance(address, Mapping):
        return None
    value = address.get("addressLocality")
    return value.strip() or None if isinstance(value, str) else None


def _time(value: Any) -> datetime | None:
    return parse_iso(value) if isinstance(value, str) and value else None

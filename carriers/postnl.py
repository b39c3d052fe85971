"""PostNL Shipping Status v2: the adapter and the pure parser into a canonical Shipment."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from carriers.errors import CarrierResponseError, ShipmentNotFound
from carriers.http import CarrierHttp, RetryPolicy, Sleep
from carriers.model import DeliveryWindow, Shipment, TrackingEvent
from carriers.model import ShipmentStatus as S
from carriers.postnl_codes import PICKUP_EVENTS, classify
from carriers.timestamps import parse_iso, parse_postnl_timestamp

NAME = "postnl"
_PICKUP_ADDRESS_TYPE = "09"  # PostNL's address type for "deliver at this PostNL location"


class PostNLCarrier:
    """Tracks one parcel with GET /shipment/v2/status/barcode/{barcode}."""

    name = NAME

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 5.0,
        language: str = "NL",
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._language = language
        self._http = CarrierHttp(session, carrier=NAME, timeout=timeout, retry=retry, sleep=sleep)

    async def track(self, tracking_number: str) -> Shipment:
        barcode = tracking_number.strip().upper()
        if not barcode:
            raise ShipmentNotFound("postnl: empty tracking number")
        payload = await self._http.get_json(
            f"{self._base_url}/shipment/v2/status/barcode/{quote(barcode, safe='')}",
            headers={"apikey": self._api_key, "Accept": "application/json"},
            params={"detail": "true", "language": self._language},  # detail: with events
        )
        return parse_postnl(payload, barcode)


def parse_postnl(payload: Mapping[str, Any], tracking_number: str) -> Shipment:
    """A CurrentStatus or CompleteStatus response -> Shipment; no I/O."""
    if not isinstance(payload, Mapping):
        raise CarrierResponseError("postnl sent a response that is not a JSON object")
    raw = _find_shipment(payload, tracking_number)
    try:
        return _shipment(raw, tracking_number)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CarrierResponseError(f"postnl sent an unreadable status: {exc!r}") from exc


def _find_shipment(payload: Mapping[str, Any], tracking_number: str) -> Mapping[str, Any]:
    if "CompleteStatus" not in payload and "CurrentStatus" not in payload:
        raise CarrierResponseError("postnl response has neither CurrentStatus nor CompleteStatus")
    status = payload.get("CompleteStatus") or payload.get("CurrentStatus") or {}
    # An empty status with a warning is how PostNL says "No shipment found" (HTTP 200).
    shipments = _as_list(status.get("Shipment") if isinstance(status, Mapping) else None)
    if not shipments:
        raise ShipmentNotFound(f"postnl does not know {tracking_number}: {_warnings(payload)}")
    for shipment in shipments:
        if tracking_number in (_text(shipment.get("Barcode")), _text(shipment.get("MainBarcode"))):
            return shipment
    return shipments[0]


def _shipment(raw: Mapping[str, Any], tracking_number: str) -> Shipment:
    status = raw["Status"]
    code = _text(status.get("StatusCode")) or ""
    pickup_point = _pickup_point(raw)
    events = tuple(
        sorted((_event(e, pickup_point) for e in _as_list(raw.get("Event"))), key=lambda e: e.at)
    )
    canonical = classify(code, _text(status.get("PhaseCode")), events[-1].code if events else None)
    status_at = _timestamp(status.get("TimeStamp")) or (events[-1].at if events else None)
    return Shipment(
        carrier=NAME,
        tracking_number=tracking_number,
        status=canonical,
        carrier_status_code=code,
        carrier_status_text=_text(status.get("StatusDescription")) or "",
        status_at=status_at,
        expected=_window(raw.get("Expectation")),
        delivered_at=status_at if canonical is S.DELIVERED else None,
        events=events,
    )


def _event(raw: Mapping[str, Any], pickup_point: str | None) -> TrackingEvent:
    code = _text(raw.get("Code")) or ""
    at = _timestamp(raw.get("TimeStamp"))
    if at is None:
        raise ValueError(f"event {code!r} has no TimeStamp")
    # PostNL events carry location codes, not names; the pick-up point is the useful place.
    location = pickup_point if code in PICKUP_EVENTS else None
    description = _text(raw.get("Description")) or ""
    return TrackingEvent(at=at, code=code, description=description, location=location)


def _window(raw: Any) -> DeliveryWindow | None:
    if not isinstance(raw, Mapping):
        return None
    start, end = _text(raw.get("ETAFrom")), _text(raw.get("ETATo"))
    if start is None and end is None:
        return None
    first, last = parse_iso(start or end or ""), parse_iso(end or start or "")
    return DeliveryWindow(start=first, end=last)


def _pickup_point(raw: Mapping[str, Any]) -> str | None:
    for address in _as_list(raw.get("Address")):
        if _text(address.get("AddressType")) == _PICKUP_ADDRESS_TYPE:
            street = " ".join(
                p for p in (_text(address.get("Street")), _text(address.get("HouseNumber"))) if p
            )
            parts = (_text(address.get("CompanyName")), street, _text(address.get("City")))
            return ", ".join(p for p in parts if p) or None
    return None


def _timestamp(value: Any) -> datetime | None:
    text = _text(value)
    return parse_postnl_timestamp(text) if text else None


def _warnings(payload: Mapping[str, Any]) -> str:
    messages = [_text(w.get("Message")) for w in _as_list(payload.get("Warnings"))]
    return "; ".join(m for m in messages if m) or "no shipment in response"


def _as_list(value: Any) -> list[Mapping[str, Any]]:
    """PostNL's JSON comes from XML: one element is an object, several are a list."""
    if isinstance(value, Mapping):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _text(value: Any) -> str | None:
    """Empty XML elements arrive as {}; treat them, and blank strings, as absent."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None

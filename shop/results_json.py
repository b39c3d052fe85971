"""Shop results to and from JSON, so a repeated write can return the first result."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from typing import Any

from herstel.money import Money
from shop.gestures import RefundMade, ReplacementCreated, ShopResult, TreatAdded, VoucherIssued

_TYPES: dict[str, type[ShopResult]] = {
    "voucher": VoucherIssued,
    "replacement": ReplacementCreated,
    "refund": RefundMade,
    "treat": TreatAdded,
}


def kind_of(result: ShopResult) -> str:
    return next(kind for kind, cls in _TYPES.items() if isinstance(result, cls))


def dumps(result: ShopResult) -> str:
    return json.dumps({f.name: _plain(getattr(result, f.name)) for f in fields(result)})


def loads(kind: str, text: str) -> ShopResult:
    cls = _TYPES[kind]
    data = json.loads(text)
    return cls(**{f.name: _typed(f.type, data[f.name]) for f in fields(cls)})


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _typed(annotation: Any, value: Any) -> Any:
    if annotation in ("Money", Money):
        return Money(value["minor"], value["currency"])
    if annotation in ("datetime", datetime):
        return datetime.fromisoformat(value)
    return value

"""Which bot responses confirm what was granted, with the concrete details (code, day)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policies import ComplaintType, GestureKind
from recovery import phrases
from recovery.granting import Granted
from shop.gestures import RefundMade, ReplacementCreated, VoucherIssued
from shop.model import OrderLine

_REFUNDS = {GestureKind.SHIPPING_REFUND, GestureKind.PARTIAL_REFUND, GestureKind.FULL_REFUND}


def granted_messages(
    granted: tuple[Granted, ...],
    item: OrderLine,
    language: str | None,
    now: datetime,
    complaint: ComplaintType | None = None,
) -> list[dict[str, Any]]:
    # Nothing reached the customer, so there is nothing to keep or send back.
    nothing_received = complaint in (ComplaintType.MISSING_ITEM, ComplaintType.LATE_DELIVERY)
    messages = []
    for given in sorted(granted, key=lambda g: g.kind is GestureKind.TREAT):
        result, amount = given.result, given.cost.format(language or "en")
        if isinstance(result, VoucherIssued):
            until = result.valid_until.strftime("%d-%m-%Y")
            messages.append(
                {
                    "response": "utter_granted_voucher",
                    "code": result.code,
                    "amount": amount,
                    "valid_until": until,
                }
            )
        elif isinstance(result, ReplacementCreated):
            keep = "keep" if result.keep_damaged else "return"
            if nothing_received:
                keep = "send"
            day = phrases.day(result.expected_delivery, now, language)
            messages.append(
                {
                    "response": f"utter_granted_replacement_{keep}",
                    "product": item.name,
                    "day": day,
                }
            )
        elif isinstance(result, RefundMade) or given.kind in _REFUNDS:
            messages.append({"response": "utter_granted_refund", "amount": amount})
        elif given.kind is GestureKind.TREAT:
            messages.append({"response": "utter_granted_treat"})
    return messages

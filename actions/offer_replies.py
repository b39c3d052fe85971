"""Which responses put an offer to the customer, and which confirm what was done."""

from __future__ import annotations

from typing import Any

from actions import phrases
from policies import GestureKind, Offer
from recovery.granting import Granted
from shop.gestures import RefundMade, ReplacementCreated, VoucherIssued
from shop.model import OrderLine

_REFUNDS = {GestureKind.SHIPPING_REFUND, GestureKind.PARTIAL_REFUND, GestureKind.FULL_REFUND}


def offer_messages(
    offers: tuple[Offer, ...], item: OrderLine, language: str | None
) -> list[dict[str, Any]]:
    """One sentence per gesture, treats last, then the yes/no question."""
    messages = []
    for offer in sorted(offers, key=lambda o: o.kind is GestureKind.TREAT):
        name = f"utter_offer_{offer.kind.value}"
        if offer.kind is GestureKind.REPLACEMENT:
            keep = bool(getattr(offer.gesture, "keep_damaged", False))
            name = f"utter_offer_replacement_{'keep' if keep else 'return'}"
        messages.append(
            {
                "response": name,
                "amount": offer.cost.format(language or "en"),
                "product": item.name,
            }
        )
    messages.append({"response": "utter_offer_confirm"})
    return messages


def granted_messages(
    granted: tuple[Granted, ...], item: OrderLine, language: str | None, now: Any
) -> list[dict[str, Any]]:
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

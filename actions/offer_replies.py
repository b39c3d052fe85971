"""Which responses put an offer to the customer."""

from __future__ import annotations

from typing import Any

from policies import GestureKind, Offer
from shop.model import OrderLine


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

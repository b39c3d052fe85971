"""What a conversation says about a case that was already settled, or is with a person."""

from __future__ import annotations

from typing import Any

from policies import GestureKind
from recovery.casebook import CaseView

_REFUNDS = {GestureKind.SHIPPING_REFUND, GestureKind.PARTIAL_REFUND, GestureKind.FULL_REFUND}


def settled_messages(view: CaseView, product: str, language: str | None) -> list[dict[str, Any]]:
    """Where the case stands: what it got (each gesture, concretely), or that a person closed
    it; then that the same problem is not compensated twice."""
    if not view.given:
        return [{"response": "utter_case_closed_by_person"}]
    messages: list[dict[str, Any]] = [{"response": "utter_case_already_given"}]
    for given in view.given:
        kind = GestureKind(given.kind)
        amount = given.amount.format(language or "en")
        if kind is GestureKind.VOUCHER:
            messages.append(
                {"response": "utter_case_given_voucher", "amount": amount, "code": given.ref or "-"}
            )
        elif kind is GestureKind.REPLACEMENT:
            messages.append({"response": "utter_case_given_replacement", "product": product})
        elif kind in _REFUNDS:
            messages.append({"response": "utter_case_given_refund", "amount": amount})
        elif kind is GestureKind.TREAT:
            messages.append({"response": "utter_case_given_treat"})
    messages.append({"response": "utter_case_not_twice"})
    return messages

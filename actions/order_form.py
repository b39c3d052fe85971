"""validate_order_form: an order number and a second fact (postcode or e-mail), or a hint."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from shop.identity import parse_email, parse_order_number, parse_postcode

_ORDER_NUMBER_IN_TEXT = re.compile(r"(?<!\d)#?\s*([1-9]\d{5})(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[^\s@<>(),;:]+@[^\s@<>(),;:]+\.[A-Za-z]{2,}")
_POSTCODE_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3}\s?[A-Za-z]{2})(?![A-Za-z])")


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        match = _ORDER_NUMBER_IN_TEXT.search(str(value or ""))
        number = parse_order_number(match.group(1)) if match else None
        if number is None:
            dispatcher.utter_message(response="utter_order_number_invalid")
        return {"order_number": number}

    def validate_second_fact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        email = _EMAIL_IN_TEXT.search(text)
        postcode = _POSTCODE_IN_TEXT.search(text)
        fact = parse_email(email.group(0)) if email else None
        if fact is None and postcode:
            fact = parse_postcode(postcode.group(1))
        if fact is None:
            dispatcher.utter_message(response="utter_second_fact_invalid")
        return {"second_fact": fact}

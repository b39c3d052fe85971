"""validate_order_form: an order number and a second fact (postcode or e-mail), or a hint."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from shop.identity import find_order_number, find_second_fact


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = find_order_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(response="utter_order_number_invalid")
        return {"order_number": number}

    def validate_second_fact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        fact = find_second_fact(str(value or ""))
        if fact is None:
            dispatcher.utter_message(response="utter_second_fact_invalid")
        return {"second_fact": fact}

"""validate_order_form: an order number and a second fact (postcode or e-mail), or a hint.

A customer who cannot find the order number may give the e-mail address they ordered with
and their postcode instead; after a second wrong number in a row the bot offers exactly that.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services
from actions.understanding import second_complaint_events
from shop.identity import find_email, find_order_number, find_postcode, find_second_fact

FAILURES = "order_number_failures"


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The form starts on the complaint's message: a second complaint in it is heard here.
        heard = second_complaint_events(dispatcher, tracker)
        return [*heard, *await super().run(dispatcher, tracker, domain)]

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        number = find_order_number(text)
        if number is not None:
            return {"order_number": number, FAILURES: 0}
        email, postcode = find_email(text), find_postcode(text)
        if email and postcode:
            services = await get_services()
            order = await services.recovery.find_by_contact(email, postcode)
            if order is not None:
                # The e-mail and postcode together are the proof: nothing more to ask.
                return {"order_number": order.number, "second_fact": postcode, FAILURES: 0}
            dispatcher.utter_message(response="utter_order_not_found_by_contact")
            return {"order_number": None}
        failures = int(tracker.get_slot(FAILURES) or 0) + 1
        hint = "utter_order_number_other_way" if failures >= 2 else "utter_order_number_invalid"
        dispatcher.utter_message(response=hint)
        return {"order_number": None, FAILURES: failures}

    def validate_second_fact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        fact = find_second_fact(str(value or ""))
        if fact is None:
            dispatcher.utter_message(response="utter_second_fact_invalid")
        return {"second_fact": fact}

"""action_check_parcel: look the order up, ask the carrier, tell what is going on, offer a fix."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.parcel_replies import disagreement_reply, parcel_reply
from actions.recovery import offer_events
from actions.services import get_services
from recovery.diagnosis import Finding

MAX_IDENTITY_FAILURES = 3


class ActionCheckParcel(Action):
    def name(self) -> str:
        return "action_check_parcel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        order_number, second_fact = (
            tracker.get_slot("order_number"),
            tracker.get_slot("second_fact"),
        )
        language = tracker.get_slot("language")
        if not order_number or not second_fact:
            return [FollowupAction("order_form")]
        services = await get_services()
        diagnosis = await services.recovery.diagnose(order_number, second_fact)
        differ = disagreement_reply(tracker.get_slot("complaint_type"), diagnosis)
        for reply in (differ, parcel_reply(diagnosis, language)):
            if reply is not None:
                dispatcher.utter_message(response=reply.response, **reply.params)
        if diagnosis.finding is Finding.ORDER_NOT_FOUND:
            return _identity_failed(dispatcher, tracker)
        # Verified from here on; the offer comes in the same call, one round trip less.
        verified = SlotSet("order_verified", True)
        return [verified, *await offer_events(dispatcher, tracker, services, diagnosis)]


def _identity_failed(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    failures = int(tracker.get_slot("identity_failures") or 0) + 1
    events: list[EventType] = [
        SlotSet("identity_failures", failures),
        SlotSet("order_number", None),
        SlotSet("second_fact", None),
    ]
    if failures >= MAX_IDENTITY_FAILURES:
        dispatcher.utter_message(response="utter_identity_locked")
        return events
    return [*events, FollowupAction("order_form")]

"""Propose a gesture within the mandate, and carry it out when the customer says yes."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case import case_id, complaint_from, conversation_from, offers_belong_to
from actions.escalation import hand_over
from actions.offer_replies import offer_messages
from actions.services import get_services
from carriers.model import ShipmentStatus
from escalation.model import Why
from herstel.bootstrap import Services
from recovery.confirmations import granted_messages
from recovery.diagnosis import Diagnosis, Finding
from recovery.granting import NotGranted
from recovery.proposal import affected_line
from recovery.service import offer_key

log = logging.getLogger(__name__)


async def offer_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, services: Services, diagnosis: Diagnosis
) -> list[EventType]:
    """Offer what the mandate gives for this complaint; after a 'no': one rung up, or a person."""
    complaint = complaint_from(tracker)
    proposal = (
        await services.recovery.propose(complaint, diagnosis, case_id(tracker))
        if complaint
        else None
    )
    if diagnosis.finding is not Finding.FOUND or proposal is None:
        return []
    why = _needs_person(diagnosis, services)
    if why is not None:
        return await hand_over(dispatcher, tracker, services, why, diagnosis, proposal)
    order_number = diagnosis.order.number if diagnosis.order else None
    same_order = offers_belong_to(tracker, order_number)
    declined = list(tracker.get_slot("offers_declined") or []) if same_order else []
    if same_order and tracker.get_slot("offer_state") == "pending":
        declined += tracker.get_slot("offers_made") or []
        offer = services.recovery.next_offer(proposal, declined)
        offers = (offer,) if offer else ()
    else:
        offers = proposal.offers
    if not offers:
        return await hand_over(
            dispatcher, tracker, services, Why.ABOVE_MANDATE, diagnosis, proposal
        )
    item = affected_line(diagnosis.order, complaint)
    for message in offer_messages(offers, item, tracker.get_slot("language")):
        dispatcher.utter_message(**message)
    return [
        SlotSet("offer_state", "pending"),
        SlotSet("offers_made", [offer_key(o) for o in offers]),
        SlotSet("offers_declined", declined),
        SlotSet("offers_for", order_number),
    ]


def _needs_person(diagnosis: Diagnosis, services: Services) -> Why | None:
    """Facts that go to a person before the bot offers anything."""
    shipment, order = diagnosis.shipment, diagnosis.order
    if shipment is not None and shipment.status is ShipmentStatus.LOST:
        return Why.CARRIER_FACTS
    threshold = services.settings.escalate_order_value
    if order is not None and order.value.amount >= threshold:
        return Why.HIGH_VALUE
    return None


class ActionProposeGesture(Action):
    """A 'no' or 'is that all?' to an offer: the next rung of the ladder, or a person."""

    def name(self) -> str:
        return "action_propose_gesture"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if complaint_from(tracker) is None or not tracker.get_slot("order_verified"):
            return []
        services = await get_services()
        diagnosis = await services.recovery.diagnose(
            tracker.get_slot("order_number"), tracker.get_slot("second_fact")
        )
        return await offer_events(dispatcher, tracker, services, diagnosis)


class ActionGrantGesture(Action):
    """The customer said yes: carry the offer out exactly once and say concretely what was done."""

    def name(self) -> str:
        return "action_grant_gesture"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        complaint, offered = complaint_from(tracker), tracker.get_slot("offers_made") or []
        if complaint is None or not offered or tracker.get_slot("offer_state") != "pending":
            dispatcher.utter_message(response="utter_how_can_i_help")
            return [SlotSet("offer_state", "none")]
        services = await get_services()
        diagnosis = await services.recovery.diagnose(
            tracker.get_slot("order_number"), tracker.get_slot("second_fact")
        )
        conversation = conversation_from(tracker)
        language = conversation.language
        try:
            granted = await services.recovery.accept(
                case_id(tracker), complaint, diagnosis, offered, conversation=conversation
            )
        except NotGranted as exc:
            log.warning("case %s: not granted: %s", case_id(tracker), exc)
            dispatcher.utter_message(response="utter_grant_failed")
            proposal = await services.recovery.propose(complaint, diagnosis, case_id(tracker))
            return await hand_over(
                dispatcher, tracker, services, Why.GRANT_FAILED, diagnosis, proposal
            )
        item = affected_line(diagnosis.order, complaint)
        for message in granted_messages(
            granted, item, language, diagnosis.checked_at, complaint.type
        ):
            dispatcher.utter_message(**message)
        dispatcher.utter_message(response="utter_ask_csat")
        return [
            SlotSet("offer_state", "none"),
            SlotSet("survey_step", "csat"),
        ]

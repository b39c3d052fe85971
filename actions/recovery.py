"""Propose a gesture within the mandate, and carry it out when the customer says yes.

Every verified conversation about a failure joins its case first: a case already settled
(from any conversation, on any channel) is told where it stands and never gets a second
gesture; a case with a person stays with them, and their decision comes here now.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case import (
    CASE_SLOT,
    case_id,
    complaint_from,
    conversation_from,
    offers_belong_to,
    where,
)
from actions.case_replies import settled_messages
from actions.escalation import hand_over
from actions.offer_replies import offer_messages
from actions.services import get_services
from escalation.model import Why
from herstel.bootstrap import Services
from recovery.casebook import CaseView
from recovery.confirmations import granted_messages
from recovery.diagnosis import Diagnosis
from recovery.granting import AlreadyDecided, NotGranted
from recovery.moments import Outcome
from recovery.proposal import Complaint, affected_line
from recovery.service import offer_key

log = logging.getLogger(__name__)

ASK_CSAT = [SlotSet("offer_state", "none"), SlotSet("survey_step", "csat")]


async def offer_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, services: Services, diagnosis: Diagnosis
) -> list[EventType]:
    """Join the failure's case, then what the mandate says: the facts alone, an offer (after
    a 'no': one rung up), or a person."""
    complaint = complaint_from(tracker)
    if complaint is None or diagnosis.order is None:
        return []  # a tracking question: the facts were the answer, and there is no case
    view = await services.recovery.open_case(complaint, diagnosis, where(tracker))
    case = view.case.case_id if view is not None else case_id(tracker)
    events: list[EventType] = [SlotSet(CASE_SLOT, case)]
    if view is not None and (view.settled or view.with_person):
        stands = await _where_it_stands(dispatcher, tracker, services, view, diagnosis, complaint)
        return events + stands
    proposal = await services.recovery.propose(complaint, diagnosis, case)
    if proposal is None:
        return events
    if proposal.to_person:
        why = Why(services.recovery.why_to_person(proposal))
        return events + await hand_over(
            dispatcher, tracker, services, why, diagnosis, proposal, case=case
        )
    order_number = diagnosis.order.number
    same_order = offers_belong_to(tracker, order_number)
    declined = list(tracker.get_slot("offers_declined") or []) if same_order else []
    asked_again = same_order and tracker.get_slot("offer_state") == "pending"
    if asked_again:
        declined += tracker.get_slot("offers_made") or []
        offer = services.recovery.next_offer(proposal, declined)
        offers = (offer,) if offer else ()
    else:
        offers = proposal.offers
    conversation = conversation_from(tracker)
    if not offers and not asked_again:
        # Nothing owed, nobody to decide: the facts (and an apology) are the answer.
        await services.recovery.came_to(
            case, complaint, diagnosis, proposal, Outcome("facts"), conversation
        )
        dispatcher.utter_message(response="utter_ask_csat")
        return events + ASK_CSAT
    if not offers:
        # Turned down all the bot may give: a person decides, with what was declined.
        await services.recovery.came_to(
            case, complaint, diagnosis, proposal, Outcome("declined"), conversation
        )
        return events + await hand_over(
            dispatcher, tracker, services, Why.ABOVE_MANDATE, diagnosis, proposal, case=case
        )
    await services.recovery.came_to(
        case, complaint, diagnosis, proposal, Outcome("offered"), conversation
    )
    item = affected_line(diagnosis.order, complaint)
    for message in offer_messages(offers, item, tracker.get_slot("language")):
        dispatcher.utter_message(**message)
    return [
        *events,
        SlotSet("offer_state", "pending"),
        SlotSet("offers_made", [offer_key(o) for o in offers]),
        SlotSet("offers_declined", declined),
        SlotSet("offers_for", order_number),
    ]


async def _where_it_stands(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    services: Services,
    view: CaseView,
    diagnosis: Diagnosis,
    complaint: Complaint,
) -> list[EventType]:
    """A case this conversation joined that was settled, or is with a person, elsewhere."""
    if view.with_person and not view.settled:
        # The agent's decision now reaches this conversation, on this channel.
        await services.escalation.follow(view.case.case_id, tracker.sender_id)
        minutes = services.settings.agent_reply_minutes
        dispatcher.utter_message(response="utter_case_with_person", minutes=minutes)
        return [SlotSet("offer_state", "none"), SlotSet("handoff_requested", True)]
    _tell_settled(dispatcher, tracker, view, diagnosis, complaint)
    return [SlotSet("offer_state", "none")]


def _tell_settled(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    view: CaseView,
    diagnosis: Diagnosis,
    complaint: Complaint,
) -> None:
    assert diagnosis.order is not None
    product = affected_line(diagnosis.order, complaint).name
    for message in settled_messages(view, product, tracker.get_slot("language")):
        dispatcher.utter_message(**message)


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
        case = case_id(tracker)
        try:
            granted = await services.recovery.accept(
                case, complaint, diagnosis, offered, conversation=conversation
            )
        except AlreadyDecided:
            # Another conversation settled this failure first: say what it got.
            return await _already_settled(dispatcher, tracker, services, diagnosis, complaint)
        except NotGranted as exc:
            log.warning("case %s: not granted: %s", case, exc)
            dispatcher.utter_message(response="utter_grant_failed")
            proposal = await services.recovery.propose(complaint, diagnosis, case)
            return await hand_over(
                dispatcher, tracker, services, Why.GRANT_FAILED, diagnosis, proposal, case=case
            )
        # Any other failure reaches the action guard (actions/guard.py), which apologises and
        # keeps the offer pending: the reservation stays, and the next yes completes it.
        assert diagnosis.order is not None
        item = affected_line(diagnosis.order, complaint)
        for message in granted_messages(
            granted, item, conversation.language, diagnosis.checked_at, complaint.type
        ):
            dispatcher.utter_message(**message)
        dispatcher.utter_message(response="utter_ask_csat")
        return ASK_CSAT


async def _already_settled(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    services: Services,
    diagnosis: Diagnosis,
    complaint: Complaint,
) -> list[EventType]:
    view = await services.recovery.open_case(complaint, diagnosis, where(tracker))
    if view is None or not view.settled:
        # Decided elsewhere, yet not readable here: the guard apologises, the offer stays.
        raise RuntimeError("case decided by another conversation but not readable")
    _tell_settled(dispatcher, tracker, view, diagnosis, complaint)
    return [SlotSet("offer_state", "none")]

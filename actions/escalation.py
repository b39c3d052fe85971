"""Handing a case to a person, and what the bot does while and after a person acts."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case import (
    case_id,
    complaint_from,
    conversation_from,
    conversation_ref,
    offers_so_far,
)
from actions.services import get_services
from actions.whatsapp_window import update_template, window_closed
from escalation.case_file import Handover, case_file
from escalation.model import Message, Why
from herstel.bootstrap import Services
from recovery.diagnosis import Diagnosis
from recovery.proposal import Proposal

log = logging.getLogger(__name__)

_RESPONSES = {
    Why.ABOVE_MANDATE: "utter_handoff_above_mandate",
    Why.CUSTOMER_ASKED: "utter_handoff",
    Why.MISUNDERSTOOD: "utter_handoff_not_understood",
    Why.FRUSTRATION: "utter_handoff_frustration",
    Why.CARRIER_FACTS: "utter_handoff_carrier_facts",
    Why.HIGH_VALUE: "utter_handoff_high_value",
    Why.GRANT_FAILED: "utter_handoff_above_mandate",
}
FRUSTRATION_LIMIT = 2  # the second outburst brings in a person
OUTCOME_WAITING = "outcome_waiting"  # bot/components/takeover_policy.py reads it too
NOT_DELIVERED = (
    "Not delivered: the customer last wrote on WhatsApp more than 24 hours ago, and WhatsApp "
    "then only delivers approved templates. Once they write again, you can write to them."
)
UNREACHABLE = (
    "The customer could not be told: they last wrote on WhatsApp more than 24 hours ago, and "
    "WhatsApp then only delivers approved templates (none is set: "
    "HERSTEL_WHATSAPP_UPDATE_TEMPLATE). Your decision stands; please reach them another way."
)


async def hand_over(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    services: Services,
    why: Why,
    diagnosis: Diagnosis | None = None,
    proposal: Proposal | None = None,
    *,
    case: str | None = None,
) -> list[EventType]:
    """Open the case for agents (once) and tell the customer honestly what happens next."""
    complaint, conversation = complaint_from(tracker), conversation_from(tracker)
    order = diagnosis.order if diagnosis else None
    history = await services.recovery.past_gestures(order.customer_id) if order else []
    case = case or case_id(tracker)
    handover = Handover(
        case_id=case,
        conversation_ref=conversation_ref(tracker),
        channel=conversation.channel or "webchat",
        language=conversation.language,
        why=why,
        now=datetime.now(UTC),
        complaint=complaint,
        diagnosis=diagnosis,
        proposal=proposal,
        messages=_messages(tracker),
        history=tuple(history),
        declined=offers_so_far(tracker, order.number if order else None),
        conversation=conversation,
    )
    await services.escalation.open(case_file(handover), tracker.sender_id)
    if order is not None:
        await services.recovery.handed_over(case)
    minutes = services.settings.agent_reply_minutes
    dispatcher.utter_message(response=_RESPONSES[why], minutes=minutes)
    return [SlotSet("offer_state", "none"), SlotSet("handoff_requested", True)]


async def verified_facts(
    tracker: Tracker, services: Services
) -> tuple[Diagnosis | None, Proposal | None]:
    """What the conversation established, if the customer's order was verified."""
    if not tracker.get_slot("order_verified"):
        return None, None
    diagnosis = await services.recovery.diagnose(
        tracker.get_slot("order_number"), tracker.get_slot("second_fact")
    )
    complaint = complaint_from(tracker)
    proposal = (
        await services.recovery.propose(complaint, diagnosis, case_id(tracker))
        if complaint
        else None
    )
    return diagnosis, proposal


class ActionEscalate(Action):
    """The customer asks for a person."""

    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        services = await get_services()
        diagnosis, proposal = await verified_facts(tracker, services)
        return await hand_over(
            dispatcher, tracker, services, Why.CUSTOMER_ASKED, diagnosis, proposal
        )


class ActionAcknowledgeFrustration(Action):
    """Acknowledge the feeling; when it keeps coming, a person takes over."""

    def name(self) -> str:
        return "action_acknowledge_frustration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        outbursts = sum(
            1
            for e in tracker.events
            if e.get("event") == "user"
            and ((e.get("parse_data") or {}).get("intent") or {}).get("name")
            == "express_frustration"
        )
        if outbursts < FRUSTRATION_LIMIT or tracker.get_slot("handoff_requested"):
            dispatcher.utter_message(response="utter_ack_frustration")
            return []
        services = await get_services()
        diagnosis, proposal = await verified_facts(tracker, services)
        return await hand_over(dispatcher, tracker, services, Why.FRUSTRATION, diagnosis, proposal)


class ActionTellAgentOutcome(Action):
    """An agent decided on the card: confirm concretely, then ask for a score."""

    def name(self) -> str:
        return "action_tell_agent_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        waiting = tracker.get_slot(OUTCOME_WAITING)  # the customer is back after a template
        decided = _entity(tracker, "case_id") or waiting
        services = await get_services()
        messages = await services.escalation.outcome_for(tracker.sender_id, decided or "")
        if not messages:
            log.warning("conversation %s: no decision to tell", conversation_ref(tracker))
            return [SlotSet(OUTCOME_WAITING, None)] if waiting else []
        settled = [SlotSet("agent_active", False), SlotSet("handoff_requested", False)]
        if not waiting and window_closed(tracker, time.time()):
            return settled + await _invite_back(dispatcher, tracker, services, decided or "")
        dispatcher.utter_message(response="utter_agent_decided")
        for message in messages:
            dispatcher.utter_message(**message)
        dispatcher.utter_message(response="utter_ask_csat")
        return [
            *settled,
            SlotSet("offer_state", "none"),
            SlotSet("survey_step", "csat"),
            SlotSet(OUTCOME_WAITING, None),
        ]


async def _window_shut(tracker: Tracker, note: str) -> bool:
    """True when WhatsApp would drop a free-form message now; the agents are then told."""
    if not window_closed(tracker, time.time()):
        return False
    case = _entity(tracker, "case_id")
    log.warning("conversation %s: WhatsApp window closed, agent's message not sent",
                conversation_ref(tracker))  # fmt: skip
    if case:
        await (await get_services()).escalation.note(case, note)
    return True


async def _invite_back(
    dispatcher: CollectingDispatcher, tracker: Tracker, services: Services, decided: str
) -> list[EventType]:
    """WhatsApp would drop a free-form message: send the approved template that invites the
    customer back, and tell the decision when they write; without one, tell the agent."""
    ref = conversation_ref(tracker)
    template = services.settings.whatsapp_update_template
    if template:
        language = tracker.get_slot("language") or "nl"
        dispatcher.utter_message(json_message=update_template(template, language))
        log.info("conversation %s: WhatsApp window closed, update template sent", ref)
        return [SlotSet(OUTCOME_WAITING, decided)]
    log.warning("conversation %s: WhatsApp window closed and no update template set", ref)
    await services.escalation.note(decided, UNREACHABLE)
    return []


class ActionRelayAgentMessage(Action):
    """An agent's personal message, sent from the card on purpose: passed on as written."""

    def name(self) -> str:
        return "action_relay_agent_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = _entity(tracker, "agent_text")
        if text and not await _window_shut(tracker, NOT_DELIVERED):
            dispatcher.utter_message(text=text)
        return []


class ActionAgentTookOver(Action):
    def name(self) -> str:
        return "action_agent_took_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        name = _entity(tracker, "agent_name") or "A colleague"
        if not await _window_shut(tracker, NOT_DELIVERED):
            dispatcher.utter_message(response="utter_agent_took_over", agent_name=name)
        return [SlotSet("agent_active", True)]  # their next message goes to the agent


class ActionAgentHandedBack(Action):
    def name(self) -> str:
        return "action_agent_handed_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_agent_handed_back")
        return [SlotSet("agent_active", False)]


class ActionForwardToAgent(Action):
    """While an agent has the conversation: the customer's message goes to them, silently."""

    def name(self) -> str:
        return "action_forward_to_agent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        services = await get_services()
        text = tracker.latest_message.get("text") or ""
        if await services.escalation.customer_said(tracker.sender_id, text):
            return []
        # The case was closed meanwhile: the bot is back.
        dispatcher.utter_message(response="utter_agent_handed_back")
        return [SlotSet("agent_active", False)]


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name:
            return str(entity.get("value"))
    return None


def _messages(tracker: Tracker) -> tuple[Message, ...]:
    speakers = {"user": "customer", "bot": "bot"}
    return tuple(
        Message(speakers[e["event"]], e.get("text") or "", _at(e.get("timestamp")))
        for e in tracker.events
        if e.get("event") in speakers and e.get("text")
    )


def _at(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)

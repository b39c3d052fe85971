"""An agent's decision told to the customer, also when WhatsApp's 24-hour window has shut."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import (
    NOT_DELIVERED,
    UNREACHABLE,
    ActionAgentTookOver,
    ActionRelayAgentMessage,
    ActionTellAgentOutcome,
)
from actions.services import use_services
from escalation.model import Act
from herstel.bootstrap import Services
from herstel.settings import Settings
from tests.support.escalation import CONVERSATION, MissingLaptop

HOUR = 3600.0
TEMPLATE = "herstel_case_update"


def _user(text: str, intent: str, channel: str, at: float, entities=()) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent}, "entities": list(entities)}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": channel,
            "timestamp": at}  # fmt: skip


def decided_tracker(case_id: str, channel: str, customer_wrote_hours_ago: float) -> Tracker:
    """The desk's push of the decision, some hours after the customer's last message."""
    now = time.time()
    wrote = _user("waar blijft het", "ask_status", channel, now - customer_wrote_hours_ago * HOUR)
    entities = [{"entity": "case_id", "value": case_id}]
    pushed = _user("EXTERNAL", "EXTERNAL_agent_decided", channel, now, entities)
    return Tracker(
        sender_id=CONVERSATION,
        slots={"language": "nl"},
        latest_message=pushed["parse_data"],
        events=[wrote, pushed],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def customer_back(case_id: str) -> Tracker:
    """The customer answers the template: the decision waits in the slot."""
    message = _user("hallo?", "greet", "whatsapp", time.time())
    return Tracker(
        sender_id=CONVERSATION,
        slots={"language": "nl", "outcome_waiting": case_id},
        latest_message=message["parse_data"],
        events=[message],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
async def decided(sqlite_store):  # type: ignore[no-untyped-def]
    """A case an agent granted; returns (world, case id, how to install the services)."""
    world = MissingLaptop.build(sqlite_store)
    case_id = await world.escalate()
    granted = await world.escalation.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1")
    assert granted.done

    def install(template: str = "") -> None:
        settings = Settings(whatsapp_update_template=template)
        use_services(Services(world.recovery, world.escalation, settings))

    return world, case_id, install


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def run(tracker: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionTellAgentOutcome().run(dispatcher, tracker, {})
    return dispatcher.messages, slots_of(events)


@pytest.mark.parametrize("channel, hours", [("whatsapp", 2), ("whatsapp", 23.5), ("rest", 30)])
async def test_within_the_window_or_off_whatsapp_the_decision_is_told_at_once(
    decided, channel, hours
):
    _, case_id, install = decided
    install(TEMPLATE)
    messages, slots = await run(decided_tracker(case_id, channel, hours))
    said = [m.get("response") for m in messages]
    assert said[0] == "utter_agent_decided" and said[-1] == "utter_ask_csat"
    assert any(r and r.startswith("utter_granted_replacement") for r in said)
    assert slots["survey_step"] == "csat" and slots["outcome_waiting"] is None


async def test_after_24_hours_on_whatsapp_the_template_invites_the_customer_back(decided):
    _, case_id, install = decided
    install(TEMPLATE)
    messages, slots = await run(decided_tracker(case_id, "whatsapp", 25))
    assert [m["custom"] for m in messages] == [
        {"type": "template", "template": {"name": TEMPLATE, "language": {"code": "nl"}}}
    ]
    assert slots == {"agent_active": False, "handoff_requested": False,
                     "outcome_waiting": case_id}  # fmt: skip

    messages, slots = await run(customer_back(case_id))  # they write back: the decision
    said = [m.get("response") for m in messages]
    assert said[0] == "utter_agent_decided" and said[-1] == "utter_ask_csat"
    assert slots["outcome_waiting"] is None and slots["survey_step"] == "csat"


async def test_without_a_template_the_agents_are_told_the_customer_cannot_be_reached(decided):
    world, case_id, install = decided
    install("")
    messages, slots = await run(decided_tracker(case_id, "whatsapp", 25))
    assert messages == []  # a free-form message would be dropped by WhatsApp
    assert "outcome_waiting" not in slots
    case = await world.escalation.case(case_id)
    assert case.state.thread[-1].text == UNREACHABLE


def pushed_tracker(intent: str, entities: list[dict[str, str]], hours: float) -> Tracker:
    tracker = decided_tracker("", "whatsapp", hours)
    pushed = _user("EXTERNAL", intent, "whatsapp", time.time(), entities)
    tracker.events[-1] = pushed
    tracker.latest_message = pushed["parse_data"]
    return tracker


@pytest.mark.parametrize("hours, delivered", [(2, True), (25, False)])
async def test_an_agents_own_message_after_24_hours_is_not_sent_and_the_agents_are_told(
    decided, hours, delivered
):
    world, case_id, install = decided
    install(TEMPLATE)
    entities = [{"entity": "agent_text", "value": "Hoi, Anna hier."},
                {"entity": "case_id", "value": case_id}]  # fmt: skip
    tracker = pushed_tracker("EXTERNAL_agent_message", entities, hours)
    dispatcher = CollectingDispatcher()
    await ActionRelayAgentMessage().run(dispatcher, tracker, {})
    took_over = CollectingDispatcher()
    entities = [{"entity": "agent_name", "value": "Anna"}, {"entity": "case_id", "value": case_id}]
    tracker = pushed_tracker("EXTERNAL_agent_took_over", entities, hours)
    events = await ActionAgentTookOver().run(took_over, tracker, {})
    assert slots_of(events) == {"agent_active": True}  # their next message goes to Anna
    thread = [m.text for m in (await world.escalation.case(case_id)).state.thread]
    if delivered:
        assert [m.get("text") for m in dispatcher.messages] == ["Hoi, Anna hier."]
        assert [m.get("response") for m in took_over.messages] == ["utter_agent_took_over"]
        assert NOT_DELIVERED not in thread
    else:
        assert dispatcher.messages == [] and took_over.messages == []
        assert thread.count(NOT_DELIVERED) == 2

"""The recovery moment carries the customer's effort and tone from the conversation."""

from actions.case import conversation_from
from tests.unit.actions.conftest import a_tracker


def user(intent: str, at: float, text: str = "...") -> dict:
    return {
        "event": "user",
        "text": text,
        "timestamp": at,
        "parse_data": {"intent": {"name": intent}},
    }


def test_turns_count_the_customers_messages_from_the_complaint_on():
    tracker = a_tracker({"language": "nl"})
    tracker.events = [
        user("greet", 1_000.0),
        user("complain_late_delivery", 1_010.0),
        {"event": "bot", "text": "Wat is je ordernummer?", "timestamp": 1_011.0},
        user("inform", 1_030.0),
        user("express_frustration", 1_050.0),
        user("EXTERNAL_agent_decided", 1_100.0),  # the desk, not the customer
        user("thank", 1_200.0),
    ]
    conversation = conversation_from(tracker)
    assert conversation.language == "nl"
    assert conversation.customer_turns == 5
    assert conversation.started_at is not None and conversation.started_at.timestamp() == 1_010.0
    assert (conversation.tone_start, conversation.tone_end) == (0.0, 1.0)


def test_an_empty_conversation_has_no_effort_figures():
    tracker = a_tracker()
    tracker.events = []
    conversation = conversation_from(tracker)
    assert conversation.customer_turns == 0 and conversation.started_at is None

"""Low confidence: two likeliest meanings as buttons; the second miss in a row: a person."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarify, options

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.4},
    {"name": "track_order", "confidence": 0.38},
    {"name": "deny", "confidence": 0.3},
    {"name": "complain_late_delivery", "confidence": 0.2},
]


def user(intent: str) -> dict:
    return {"event": "user", "text": "…", "parse_data": {"intent": {"name": intent}}}


def a_tracker(events: list[dict], language: str = "nl") -> Tracker:
    return Tracker(
        sender_id="conv-1",
        slots={"language": language},
        latest_message={"text": "…", "intent": RANKING[0], "intent_ranking": RANKING},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def test_the_two_likeliest_complaint_meanings_become_buttons_in_the_customers_language():
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, a_tracker([user("greet"), user("nlu_fallback")]), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    assert message["buttons"] == [
        {"title": "Waar is mijn pakket?", "payload": "/track_order"},
        {"title": "Order is te laat", "payload": "/complain_late_delivery"},
    ]


async def test_a_second_misunderstanding_in_a_row_hands_over_to_a_person(services):
    dispatcher = CollectingDispatcher()
    events = await ActionClarify().run(
        dispatcher, a_tracker([user("nlu_fallback"), user("nlu_fallback")]), {}
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_not_understood"]
    assert {"event": "slot", "name": "handoff_requested", "value": True} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]
    [case] = await services.escalation.cases()
    assert case.file.why == "misunderstood" and case.state.status == "open"


def test_every_button_title_fits_whatsapp_and_exists_in_both_languages():
    for intent, titles in options().items():
        assert set(titles) == {"en", "nl"}, intent
        assert all(len(title) <= 20 for title in titles.values()), intent


TORN = [
    {"name": "nlu_fallback", "confidence": 0.5},
    {"name": "complain_late_delivery", "confidence": 0.46},
    {"name": "complain_damaged_product", "confidence": 0.43},
]


async def test_a_message_torn_between_two_complaints_it_holds_both_of_is_not_a_question():
    tracker = a_tracker([user("nlu_fallback")], language="en")
    tracker.latest_message["intent_ranking"] = TORN
    tracker.latest_message["entities"] = [{"entity": "also_complaint", "value": "damaged_product"}]
    dispatcher = CollectingDispatcher()
    events = await ActionClarify().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ack_late_delivery"]
    assert [(e["event"], e.get("name"), e.get("value")) for e in events] == [
        ("slot", "complaint_type", "late_delivery"),
        ("followup", "order_form", None),
    ]


async def test_torn_between_two_complaints_without_a_clause_for_each_asks_what_was_meant():
    tracker = a_tracker([user("nlu_fallback")], language="en")
    tracker.latest_message["intent_ranking"] = TORN
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify"]

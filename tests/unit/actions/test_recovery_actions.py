"""The offer and the yes: what the customer is told, and what the conversation remembers."""

from rasa_sdk.executor import CollectingDispatcher

from actions.recovery import ActionGrantGesture, ActionProposeGesture
from tests.unit.actions.conftest import a_tracker

LATE_LAPTOP = {
    "order_number": "100482",
    "second_fact": "3512JE",
    "language": "nl",
    "complaint_type": "late_delivery",
    "order_verified": True,
}


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_a_late_parcel_gets_a_voucher_offered_with_a_yes_no_question():
    dispatcher = CollectingDispatcher()
    events = await ActionProposeGesture().run(dispatcher, a_tracker(LATE_LAPTOP), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_offer_voucher",
        "utter_offer_confirm",
    ]
    assert dispatcher.messages[0]["amount"] == "€10"
    assert slots_of(events) == {
        "case_id": "100482:late_delivery",
        "offer_state": "pending",
        "offers_made": ["voucher:2"],
        "offers_declined": [],
        "offers_for": "100482",
    }


async def test_offers_made_for_a_corrected_order_number_do_not_count_as_declined():
    # A voucher was on offer for order 100999; the customer then gave the right number.
    earlier = {"offer_state": "pending", "offers_made": ["voucher:2"], "offers_for": "100999",
               "offers_declined": ["voucher:1"]}  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionProposeGesture().run(dispatcher, a_tracker({**LATE_LAPTOP, **earlier}), {})
    responses = [m["response"] for m in dispatcher.messages]
    assert responses == ["utter_offer_voucher", "utter_offer_confirm"]  # not a hand-over
    assert slots_of(events)["offers_declined"] == []
    assert slots_of(events)["offers_for"] == "100482"


async def test_a_tracking_question_gets_no_offer():
    dispatcher = CollectingDispatcher()
    slots = {**LATE_LAPTOP, "complaint_type": None}
    assert await ActionProposeGesture().run(dispatcher, a_tracker(slots), {}) == []
    assert dispatcher.messages == []


async def test_a_yes_issues_the_voucher_and_names_the_code(shop):
    proposed = slots_of(
        await ActionProposeGesture().run(CollectingDispatcher(), a_tracker(LATE_LAPTOP), {})
    )
    dispatcher = CollectingDispatcher()
    events = await ActionGrantGesture().run(dispatcher, a_tracker({**LATE_LAPTOP, **proposed}), {})
    message, question = dispatcher.messages
    assert message["response"] == "utter_granted_voucher"
    assert question["response"] == "utter_ask_csat"
    assert message["code"] == next(iter(shop.writes.values())).code
    assert slots_of(events)["offer_state"] == "none"


async def test_a_yes_with_nothing_on_offer_grants_nothing(shop):
    dispatcher = CollectingDispatcher()
    slots = {**LATE_LAPTOP, "offer_state": "none", "offers_made": ["voucher:2"]}
    await ActionGrantGesture().run(dispatcher, a_tracker(slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_how_can_i_help"]
    assert shop.writes == {}


async def test_a_no_to_everything_the_bot_may_give_hands_over_to_a_person():
    tracker_slots = {**LATE_LAPTOP, "offer_state": "pending", "offers_made": ["voucher:2"]}
    dispatcher = CollectingDispatcher()
    events = await ActionProposeGesture().run(dispatcher, a_tracker(tracker_slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_above_mandate"]
    assert slots_of(events)["handoff_requested"] is True

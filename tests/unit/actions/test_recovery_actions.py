"""The offer and the yes: what the customer is told, and what the conversation remembers."""

from datetime import timedelta

from rasa_sdk.executor import CollectingDispatcher

from actions.recovery import ActionGrantGesture, ActionProposeGesture
from journeys.moments import MomentStore
from tests.builders import NOW, a_shipment, an_order
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


# --- a case is a failure: a second conversation joins it ----------------------------------


def other_conversation(slots, sender: str = "whatsapp-31612345678"):
    tracker = a_tracker(slots)
    tracker.sender_id = sender
    return tracker


async def _granted_in_a_first_conversation(shop) -> str:
    proposed = slots_of(
        await ActionProposeGesture().run(CollectingDispatcher(), a_tracker(LATE_LAPTOP), {})
    )
    await ActionGrantGesture().run(
        CollectingDispatcher(), a_tracker({**LATE_LAPTOP, **proposed}), {}
    )
    return next(iter(shop.writes.values())).code


async def test_a_new_conversation_on_a_compensated_failure_is_told_what_it_got(shop):
    code = await _granted_in_a_first_conversation(shop)
    dispatcher = CollectingDispatcher()
    events = await ActionProposeGesture().run(dispatcher, other_conversation(LATE_LAPTOP), {})
    responses = [m["response"] for m in dispatcher.messages]
    assert responses == [
        "utter_case_already_given",
        "utter_case_given_voucher",
        "utter_case_not_twice",
    ]
    assert dispatcher.messages[1]["code"] == code and dispatcher.messages[1]["amount"] == "€10"
    assert slots_of(events) == {"case_id": "100482:late_delivery", "offer_state": "none"}
    assert len(shop.writes) == 1


async def test_a_yes_in_a_second_conversation_after_the_first_took_it_grants_nothing_new(shop):
    # Both conversations were offered the voucher; the first said yes, now the second does.
    offered = slots_of(
        await ActionProposeGesture().run(
            CollectingDispatcher(), other_conversation(LATE_LAPTOP), {}
        )
    )
    await _granted_in_a_first_conversation(shop)
    dispatcher = CollectingDispatcher()
    await ActionGrantGesture().run(dispatcher, other_conversation({**LATE_LAPTOP, **offered}), {})
    # The same gesture, by its key: the second yes confirms the one voucher, it makes none.
    assert dispatcher.messages[0]["response"] == "utter_granted_voucher"
    assert len(shop.writes) == 1


def moments_of(store):
    return MomentStore(store.engine).export()


async def test_a_parcel_on_time_is_the_facts_then_the_survey(carrier, shop, sqlite_store):
    carrier.answers["3SHRST100482"] = a_shipment(expected=None, status_at=NOW)
    shop.orders["100482"] = an_order(promised_by=NOW + timedelta(hours=5))
    dispatcher = CollectingDispatcher()
    events = await ActionProposeGesture().run(dispatcher, a_tracker(LATE_LAPTOP), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_csat"]
    assert slots_of(events)["survey_step"] == "csat"
    [moment] = [m async for m in moments_of(sqlite_store)]
    assert (moment["outcome"], moment["resolved"], moment["gestures"]) == ("facts", True, [])
    assert moment["live"]["rule"] == "late-but-on-time"


async def test_an_offer_is_a_moment_until_the_yes_revises_it(shop, sqlite_store):
    await ActionProposeGesture().run(CollectingDispatcher(), a_tracker(LATE_LAPTOP), {})
    [offered] = [m async for m in moments_of(sqlite_store)]
    assert (offered["outcome"], offered["resolved"]) == ("offered", False)
    await _granted_in_a_first_conversation(shop)
    [granted] = [m async for m in moments_of(sqlite_store)]
    assert (granted["outcome"], granted["resolved"]) == ("gesture", True)
    assert granted["revision"] > offered["revision"]

from rasa_sdk.executor import CollectingDispatcher

from actions.check_parcel import ActionCheckParcel
from carriers.errors import CarrierUnavailable
from tests.unit.actions.conftest import a_tracker

VERIFIED = {"order_number": "100482", "second_fact": "3512JE", "language": "nl"}


def events_by_name(events):
    """Slot events by slot name; a follow-up action under "followup"."""
    return {
        e["name"] if e["event"] == "slot" else e["event"]: e.get("value", e.get("name"))
        for e in events
    }


async def test_a_late_parcel_is_reported_with_its_window_and_how_late_it_is():
    dispatcher = CollectingDispatcher()
    events = await ActionCheckParcel().run(dispatcher, a_tracker(VERIFIED), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_parcel_out_for_delivery_late"
    assert message["carrier"] == "PostNL"
    assert (message["start"], message["end"]) == ("13:05", "13:35")
    assert message["late_by"] == "1 uur en 5 minuten"
    assert events_by_name(events)["order_verified"] is True


async def test_an_unknown_order_clears_the_details_and_asks_again():
    dispatcher = CollectingDispatcher()
    slots = {**VERIFIED, "order_number": "999999"}
    events = await ActionCheckParcel().run(dispatcher, a_tracker(slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_not_found"]
    named = events_by_name(events)
    assert named["order_number"] is None and named["second_fact"] is None
    assert named["identity_failures"] == 1
    assert named["followup"] == "order_form"


async def test_the_third_failed_identity_check_locks_the_order_for_this_conversation():
    dispatcher = CollectingDispatcher()
    slots = {**VERIFIED, "second_fact": "1011AB", "identity_failures": 2}
    events = await ActionCheckParcel().run(dispatcher, a_tracker(slots), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_order_not_found",
        "utter_identity_locked",
    ]
    assert "followup" not in events_by_name(events)


async def test_a_failing_carrier_gets_a_polite_answer_not_silence(carrier):
    carrier.answers["3SHRST100482"] = CarrierUnavailable("timeout")
    dispatcher = CollectingDispatcher()
    await ActionCheckParcel().run(dispatcher, a_tracker(VERIFIED), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_carrier_unavailable"]


async def test_no_facts_are_told_without_the_postcode_however_the_order_number_came(carrier):
    dispatcher = CollectingDispatcher()
    slots = {"order_number": "100482", "second_fact": None, "language": "en"}
    events = await ActionCheckParcel().run(
        dispatcher, a_tracker(slots, "it's my order, 100482"), {}
    )
    assert dispatcher.messages == []
    assert carrier.calls == []
    assert events_by_name(events) == {"followup": "order_form"}


async def test_a_late_delivery_complaint_gets_the_facts_then_the_offer_in_one_turn():
    dispatcher = CollectingDispatcher()
    slots = {**VERIFIED, "complaint_type": "late_delivery"}
    events = await ActionCheckParcel().run(dispatcher, a_tracker(slots), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_parcel_out_for_delivery_late",
        "utter_offer_voucher",
        "utter_offer_confirm",
    ]
    assert events_by_name(events)["offer_state"] == "pending"


async def test_a_parcel_reported_missing_but_in_the_van_is_told_as_the_carrier_sees_it():
    dispatcher = CollectingDispatcher()
    slots = {**VERIFIED, "complaint_type": "missing_item"}
    await ActionCheckParcel().run(dispatcher, a_tracker(slots), {})
    said = [m["response"] for m in dispatcher.messages]
    assert said[:2] == ["utter_facts_differ_missing_item", "utter_parcel_out_for_delivery_late"]
    assert dispatcher.messages[0]["carrier"] == "PostNL"


async def test_a_late_parcel_reported_late_needs_no_correction():
    dispatcher = CollectingDispatcher()
    slots = {**VERIFIED, "complaint_type": "late_delivery"}
    await ActionCheckParcel().run(dispatcher, a_tracker(slots), {})
    assert dispatcher.messages[0]["response"] == "utter_parcel_out_for_delivery_late"

"""A second complaint in the opening message is heard, and the case follows the fix."""

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.understanding import second_complaint_events
from tests.unit.actions.conftest import a_tracker


def heard(complaint_type: str | None, also: str | None) -> tuple[list[str], list]:
    tracker = a_tracker({"complaint_type": complaint_type})
    if also:
        tracker.latest_message["entities"] = [{"entity": "also_complaint", "value": also}]
    dispatcher = CollectingDispatcher()
    events = second_complaint_events(dispatcher, tracker)
    return [m["response"] for m in dispatcher.messages], events


def test_damage_heard_beside_a_late_delivery_leads_the_case():
    said, events = heard("late_delivery", "damaged_product")
    assert said == ["utter_also_damaged_product_first"]
    assert events == [
        SlotSet("complaint_type", "damaged_product"),
        SlotSet("second_complaint", "late_delivery"),
    ]


def test_lateness_heard_beside_damage_is_acknowledged_and_kept():
    said, events = heard("damaged_product", "late_delivery")
    assert said == ["utter_also_late_delivery"]
    assert events == [SlotSet("second_complaint", "late_delivery")]


def test_a_missing_item_beside_a_wrong_one_is_acknowledged_behind_it():
    said, events = heard("wrong_item", "missing_item")
    assert said == ["utter_also_missing_item"]
    assert events == [SlotSet("second_complaint", "missing_item")]


def test_nothing_is_said_without_a_second_complaint_or_a_first_one():
    assert heard("late_delivery", None) == ([], [])
    assert heard(None, "damaged_product") == ([], [])
    assert heard("other", "damaged_product") == ([], [])
    assert heard("late_delivery", "late_delivery") == ([], [])
    assert heard("late_delivery", "no_such_type") == ([], [])

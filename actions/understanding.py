"""A second complaint in the opening message: acknowledged, and the case follows the fix.

The intent classifier reports a clause that is clearly another complaint as an
`also_complaint` entity (bot/components/intent_classifier.py). The case follows the
complaint that needs a fix to the goods (damaged, then wrong, then missing) over a late
delivery; the other one is acknowledged and kept in the `second_complaint` slot.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from policies import ComplaintType

# Which complaint the case follows when a message has two: the first in this list.
_LEADS = (
    ComplaintType.DAMAGED_PRODUCT,
    ComplaintType.WRONG_ITEM,
    ComplaintType.MISSING_ITEM,
    ComplaintType.LATE_DELIVERY,
)
_TAKES_THE_LEAD = {
    ComplaintType.DAMAGED_PRODUCT: "utter_also_damaged_product_first",
    ComplaintType.WRONG_ITEM: "utter_also_wrong_item_first",
    ComplaintType.MISSING_ITEM: "utter_also_missing_item_first",
}
_ACKNOWLEDGED = {
    ComplaintType.LATE_DELIVERY: "utter_also_late_delivery",
    ComplaintType.DAMAGED_PRODUCT: "utter_also_damaged_product",
    ComplaintType.WRONG_ITEM: "utter_also_wrong_item",
    ComplaintType.MISSING_ITEM: "utter_also_missing_item",
}


_ACK = {
    ComplaintType.LATE_DELIVERY: "utter_ack_late_delivery",
    ComplaintType.DAMAGED_PRODUCT: "utter_ack_damaged_product",
    ComplaintType.WRONG_ITEM: "utter_ack_wrong_item",
    ComplaintType.MISSING_ITEM: "utter_ack_missing_item",
}


def heard_second(tracker: Tracker) -> ComplaintType | None:
    """The other complaint in the latest message, if the classifier heard one."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "also_complaint":
            try:
                return ComplaintType(entity.get("value"))
            except ValueError:
                return None
    return None


def second_complaint_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Say the second complaint was heard; lead with the one that needs the fix."""
    second, current = heard_second(tracker), tracker.get_slot("complaint_type")
    if second is None or current not in {c.value for c in _LEADS} or second.value == current:
        return []
    first = ComplaintType(current)
    if _LEADS.index(second) < _LEADS.index(first):
        dispatcher.utter_message(response=_TAKES_THE_LEAD[second])
        return [SlotSet("complaint_type", second.value), SlotSet("second_complaint", first.value)]
    dispatcher.utter_message(response=_ACKNOWLEDGED[second])
    return [SlotSet("second_complaint", second.value)]


def two_complaints_events(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """A message the model is torn between two complaints on, with one clause for each, is
    not a misunderstanding: both are heard, and the order form starts as for a complaint.
    None when that is not the case (then the bot asks what was meant)."""
    ranking = [r.get("name") for r in tracker.latest_message.get("intent_ranking") or []]
    named = [n.removeprefix("complain_") for n in ranking if n != "nlu_fallback"][:2]
    second = heard_second(tracker)
    if len(named) < 2 or second is None or named[1] != second.value:
        return None
    first = next((c for c in _ACK if c.value == named[0]), None)
    if first is None:
        return None
    dispatcher.utter_message(response=_ACK[first])
    return [SlotSet("complaint_type", first.value), FollowupAction("order_form")]

"""The complaint and case a conversation is about, read from the tracker."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from rasa_sdk import Tracker

from policies import Channel, ComplaintType, DamageExtent
from recovery.cases import Where
from recovery.moments import Conversation
from recovery.proposal import Complaint

_CHANNELS = {"whatsapp": Channel.WHATSAPP}
_SEVERE_WORDS = ("broken", "kapot", "smashed", "cracked", "barst", "unusable", "onbruikbaar")


def complaint_from(tracker: Tracker) -> Complaint | None:
    """None when the customer only asked where the parcel is."""
    value = tracker.get_slot("complaint_type")
    if not value:
        return None
    complaint = ComplaintType(value)
    damage = None
    if complaint is ComplaintType.DAMAGED_PRODUCT:
        text = " ".join(_user_texts(tracker)).lower()
        severe = any(word in text for word in _SEVERE_WORDS)
        damage = DamageExtent.UNUSABLE if severe else DamageExtent.PARTIAL
    channel = _CHANNELS.get(tracker.get_latest_input_channel() or "", Channel.WEBCHAT)
    return Complaint(complaint, channel, damage, _named_product(tracker))


_TONE = {"express_frustration": -1.0, "request_human": -0.5, "thank": 1.0, "affirm": 0.5}


def conversation_from(tracker: Tracker) -> Conversation:
    """Effort and tone so far, from the customer's own messages (the desk's are left out)."""
    messages = [
        e
        for e in tracker.events
        if e.get("event") == "user" and not _intent(e).startswith("EXTERNAL_")
    ]
    complaint_at = next(
        (e.get("timestamp") for e in messages if _intent(e).startswith("complain_")), None
    )
    started = complaint_at or (messages[0].get("timestamp") if messages else None)
    return Conversation(
        language=tracker.get_slot("language") or "en",
        channel=_CHANNELS.get(tracker.get_latest_input_channel() or "", Channel.WEBCHAT).value,
        customer_turns=len(messages),
        started_at=datetime.fromtimestamp(started, UTC) if started else None,
        tone_start=_TONE.get(_intent(messages[0]), 0.0) if messages else None,
        tone_end=_TONE.get(_intent(messages[-1]), 0.0) if messages else None,
    )


def _intent(event: dict) -> str:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""


CASE_SLOT = "case_id"  # set once the customer is verified and the failure's case is known


def case_id(tracker: Tracker) -> str:
    """The failure's case (order and complaint), once the customer is verified: the root of
    every idempotency key, the same from any conversation. Before that, only this
    conversation's: a hand-over of an unverified customer is theirs alone.

    The conversation id is hashed: on WhatsApp it is a phone number, which the store must
    not hold, and hashing keeps the id short for the store's columns.
    """
    known = tracker.get_slot(CASE_SLOT)
    if known:
        return str(known)
    return f"conversation:{tracker.get_slot('complaint_type') or '-'}:{conversation_ref(tracker)}"


def where(tracker: Tracker) -> Where:
    """The conversation the customer is on now: where an agent's decision must reach them."""
    channel = _CHANNELS.get(tracker.get_latest_input_channel() or "", Channel.WEBCHAT).value
    return Where(tracker.sender_id, channel, tracker.get_slot("language") or "en")


def conversation_ref(tracker: Tracker) -> str:
    """A stable pseudonym for the conversation, safe for logs (the sender id may be a phone)."""
    return hashlib.sha256(tracker.sender_id.encode()).hexdigest()[:16]


def _named_product(tracker: Tracker) -> str | None:
    """The product the customer named most recently in this conversation."""
    for event in reversed(tracker.events):
        entities = (event.get("parse_data") or {}).get("entities") or []
        products = [e.get("value") for e in entities if e.get("entity") == "product"]
        if event.get("event") == "user" and products:
            return str(products[-1])
    return None


def _user_texts(tracker: Tracker) -> list[str]:
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]


def offers_belong_to(tracker: Tracker, order_number: str | None) -> bool:
    """Whether the offer slots are about this order, not one the customer then corrected."""
    return tracker.get_slot("offers_for") in (None, order_number)


def offers_so_far(tracker: Tracker, order_number: str | None) -> tuple[str, ...]:
    """The offers this order got in the conversation (declined, or made and not taken)."""
    if not offers_belong_to(tracker, order_number):
        return ()
    made = tracker.get_slot("offers_made") or []
    return (*(tracker.get_slot("offers_declined") or ()), *made)

"""WhatsApp's customer service window: a business may write free-form messages only within 24
hours of the customer's last message; after that only an approved template gets through (the
Cloud API accepts the message, then reports it failed, error 131047)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

WINDOW_SECONDS = 24 * 3600
MARGIN_SECONDS = 10 * 60  # a message sent at 23:59 may arrive after the window shut
EXTERNAL_PREFIX = "EXTERNAL_"  # pushed by the desk, not written by the customer


def _customer_wrote_last(tracker: Tracker) -> dict[str, Any] | None:
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
        if not intent.startswith(EXTERNAL_PREFIX):
            return event
    return None


def window_closed(tracker: Tracker, now: float) -> bool:
    """True when the conversation is on WhatsApp and the customer last wrote too long ago."""
    last = _customer_wrote_last(tracker)
    if last is None or last.get("input_channel") != "whatsapp":
        return False
    return now - float(last.get("timestamp") or now) > WINDOW_SECONDS - MARGIN_SECONDS


def update_template(name: str, language: str) -> dict[str, Any]:
    """The Cloud API message body for the template (the channel adds recipient and product)."""
    return {"type": "template", "template": {"name": name, "language": {"code": language}}}

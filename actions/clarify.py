"""action_clarify: when unsure, offer the two likeliest meanings; after two misses, a person."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import hand_over, verified_facts
from actions.services import get_services
from actions.understanding import two_complaints_events
from escalation.model import Why
from herstel.settings import ROOT

OPTIONS_FILE = ROOT / "bot" / "clarify_options.yml"
MAX_MISUNDERSTANDINGS = 2


@cache
def options() -> dict[str, dict[str, str]]:
    return yaml.safe_load(OPTIONS_FILE.read_text(encoding="utf-8"))


def misses_in_a_row(tracker: Tracker) -> int:
    """How many of the latest customer messages in a row the bot did not understand."""
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != "nlu_fallback":
            break
        misses += 1
    return misses


def likeliest(tracker: Tracker, count: int = 2) -> list[str]:
    ranking = tracker.latest_message.get("intent_ranking") or []
    names = [r.get("name") for r in ranking]
    return [name for name in names if name in options()][:count]


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        both = two_complaints_events(dispatcher, tracker)
        if both is not None:
            return both
        if misses_in_a_row(tracker) >= MAX_MISUNDERSTANDINGS:
            services = await get_services()
            diagnosis, proposal = await verified_facts(tracker, services)
            return await hand_over(
                dispatcher, tracker, services, Why.MISUNDERSTOOD, diagnosis, proposal
            )
        language = "nl" if tracker.get_slot("language") == "nl" else "en"
        candidates = likeliest(tracker)
        if not candidates:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = [
            {"title": options()[name][language], "payload": f"/{name}"} for name in candidates
        ]
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return []

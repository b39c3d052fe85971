"""After a fix: ask how it went (CSAT 1-10, CES 1-7, and by rule NPS 0-10); a customer may skip."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case import case_id
from actions.services import get_services
from journeys.moments import SCALES
from recovery.survey import asks_nps

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"\b(10|[0-9])\b")
CES_BUTTONS = [
    {"title": str(n), "payload": f'/give_rating{{"rating": "{n}"}}'} for n in range(1, 8)
]


def score_in(tracker: Tracker) -> int | None:
    """The score the customer gave: the rating entity, else the first number 0-10 typed."""
    for value in [*tracker.get_latest_entity_values("rating"), tracker.latest_message.get("text")]:
        match = _NUMBER.search(str(value or ""))
        if match:
            return int(match.group(1))
    return None


class ActionRecordScore(Action):
    def name(self) -> str:
        return "action_record_score"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        scale = tracker.get_slot("survey_step")
        score = score_in(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if scale not in SCALES or score is None or intent != "give_rating":
            dispatcher.utter_message(response="utter_survey_thanks")
            return [SlotSet("survey_step", "none")]
        low, high = SCALES[scale]
        if not low <= score <= high:
            dispatcher.utter_message(response=f"utter_ask_{scale}")
            return []
        services = await get_services()
        case = case_id(tracker)
        if not await services.recovery.record_score(case, scale, score):
            log.warning("case %s: no recovery moment to score", case)
        if scale == "csat":
            dispatcher.utter_message(response="utter_ask_ces", buttons=CES_BUTTONS)
            return [SlotSet("survey_step", "ces")]
        if scale == "ces" and asks_nps(case, services.settings.nps_percent):
            dispatcher.utter_message(response="utter_ask_nps")
            return [SlotSet("survey_step", "nps")]
        dispatcher.utter_message(response="utter_survey_thanks")
        return [SlotSet("survey_step", "none")]

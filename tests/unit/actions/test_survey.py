"""After the fix: a score from 1 to 10, then how easy it was, stored on the recovery moment."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.recovery import ActionGrantGesture, ActionProposeGesture
from actions.survey import ActionRecordScore
from herstel.settings import Settings
from journeys.moments import MomentStore
from recovery.survey import asks_nps
from tests.unit.actions.conftest import a_tracker
from tests.unit.actions.test_recovery_actions import LATE_LAPTOP, slots_of


def rating_tracker(slots: dict, text: str, intent: str = "give_rating") -> Tracker:
    tracker = a_tracker(slots, text)
    tracker.latest_message["intent"] = {"name": intent}
    return tracker


async def granted_slots() -> dict:
    proposed = slots_of(
        await ActionProposeGesture().run(
            CollectingDispatcher(), a_tracker({**LATE_LAPTOP, "offer_state": "none"}), {}
        )
    )
    slots = {**LATE_LAPTOP, **proposed}
    dispatcher = CollectingDispatcher()
    granted = slots_of(await ActionGrantGesture().run(dispatcher, a_tracker(slots), {}))
    assert dispatcher.messages[-1]["response"] == "utter_ask_csat"
    return {**slots, **granted}


async def test_a_grade_then_an_ease_score_land_on_the_recovery_moment(sqlite_store, services):
    services.settings = Settings(nps_percent=0)
    slots = await granted_slots()
    dispatcher = CollectingDispatcher()
    after_csat = slots_of(
        await ActionRecordScore().run(dispatcher, rating_tracker(slots, "een 8"), {})
    )
    assert after_csat == {"survey_step": "ces"}
    assert dispatcher.messages[0]["response"] == "utter_ask_ces"
    assert len(dispatcher.messages[0]["buttons"]) == 7
    dispatcher = CollectingDispatcher()
    done = await ActionRecordScore().run(
        dispatcher, rating_tracker({**slots, **after_csat}, "6"), {}
    )
    assert slots_of(done) == {"survey_step": "none"}
    [moment] = [m async for m in MomentStore(sqlite_store.engine).export()]
    assert (moment["csat"], moment["ces"]) == (8, 6)


async def test_when_the_rule_picks_the_case_the_recommendation_score_follows(
    sqlite_store, services
):
    services.settings = Settings(nps_percent=100)
    slots = {**await granted_slots(), "survey_step": "ces"}
    dispatcher = CollectingDispatcher()
    after_ces = slots_of(await ActionRecordScore().run(dispatcher, rating_tracker(slots, "7"), {}))
    assert after_ces == {"survey_step": "nps"}
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_nps"]
    done = await ActionRecordScore().run(
        CollectingDispatcher(), rating_tracker({**slots, **after_ces}, "0"), {}
    )
    assert slots_of(done) == {"survey_step": "none"}
    [moment] = [m async for m in MomentStore(sqlite_store.engine).export()]
    assert (moment["ces"], moment["nps"]) == (7, 0)


def test_the_nps_sample_is_stable_per_case_and_near_the_configured_share():
    cases = [f"1004{n:02d}:late_delivery:{n:016x}" for n in range(2000)]
    picked = [c for c in cases if asks_nps(c, 25)]
    assert 0.20 < len(picked) / len(cases) < 0.30
    assert picked == [c for c in cases if asks_nps(c, 25)]
    assert not any(asks_nps(c, 0) for c in cases) and all(asks_nps(c, 100) for c in cases)


async def test_a_score_out_of_range_is_asked_again():
    dispatcher = CollectingDispatcher()
    slots = {**LATE_LAPTOP, "survey_step": "ces"}
    events = await ActionRecordScore().run(dispatcher, rating_tracker(slots, "9"), {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_ces"]


async def test_a_customer_may_skip_the_survey():
    dispatcher = CollectingDispatcher()
    slots = {**LATE_LAPTOP, "survey_step": "csat"}
    events = await ActionRecordScore().run(
        dispatcher, rating_tracker(slots, "nee hoor", "deny"), {}
    )
    assert slots_of(events) == {"survey_step": "none"}
    assert [m["response"] for m in dispatcher.messages] == ["utter_survey_thanks"]

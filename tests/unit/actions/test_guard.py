"""Every action runs under one guard: a failure behind it is an apology, never a 500."""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.guard import Guarded
from herstel.failures import FAILED_TURN, describe
from tests.unit.actions.conftest import a_tracker

VERIFIED = {"order_number": "100482", "second_fact": "3512JE", "language": "nl"}


def action_call(name: str, slots: dict[str, Any]) -> dict[str, Any]:
    tracker = a_tracker(slots)
    return {
        "next_action": name,
        "sender_id": tracker.sender_id,
        "tracker": tracker.current_state(),
        "domain": {"intents": []},
        "version": "3.6.21",
    }


@pytest.fixture(scope="module")
def executor() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def test_every_action_the_action_server_registers_runs_guarded(executor):
    assert executor.actions
    assert all(isinstance(run, Guarded) for run in executor.actions.values())
    pickle.loads(pickle.dumps(executor))  # Sanic hands the registry to its workers pickled


async def test_a_database_failure_in_an_action_becomes_the_apology_alone(
    executor, services, caplog
):
    async def database_down(*args: Any) -> None:
        raise ConnectionRefusedError("connect to 10.0.0.7:5432 for 3512JE failed")

    services.recovery.diagnose = database_down
    with caplog.at_level(logging.ERROR):
        result = await executor.run(action_call("action_check_parcel", VERIFIED))
    assert result is not None
    assert [r["response"] for r in result.responses] == [FAILED_TURN]
    assert result.events == []
    [line] = [r.getMessage() for r in caplog.records if r.name == "actions.guard"]
    assert "action_check_parcel" in line and "ConnectionRefusedError" in line
    assert "3512JE" not in caplog.text  # the exception's message may carry customer data
    assert "Traceback" not in caplog.text


class _SaysThenFails(Action):
    def name(self) -> str:
        return "test_says_then_fails"

    async def run(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        dispatcher.utter_message(response="utter_parcel_delivered")
        raise RuntimeError("half way")


async def test_what_an_action_said_before_failing_is_not_sent():
    dispatcher = CollectingDispatcher()
    events = await Guarded("test", _SaysThenFails().run)(dispatcher, a_tracker(VERIFIED), {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [FAILED_TURN]


async def test_an_action_that_hangs_is_answered_within_its_deadline():
    async def hangs(dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        await asyncio.sleep(30)

    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    await Guarded("slow", hangs, deadline=0.2)(dispatcher, a_tracker(VERIFIED), {})
    assert time.monotonic() - started < 2
    assert [m["response"] for m in dispatcher.messages] == [FAILED_TURN]


async def test_an_action_that_works_is_passed_through_untouched():
    async def works(dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        dispatcher.utter_message(response="utter_parcel_delivered")
        return [SlotSet("order_verified", True)]

    dispatcher = CollectingDispatcher()
    events = await Guarded("fine", works)(dispatcher, a_tracker(VERIFIED), {})
    assert events == [SlotSet("order_verified", True)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_parcel_delivered"]


async def test_an_action_declining_the_message_is_left_to_rasa_as_before():
    async def declines(dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        raise ActionExecutionRejection("validate_order_form", "not for this form")

    with pytest.raises(ActionExecutionRejection):
        await Guarded("declines", declines)(CollectingDispatcher(), a_tracker(VERIFIED), {})


def test_a_description_names_types_and_places_but_no_message():
    try:
        try:
            raise OSError("postcode 1011 AB")
        except OSError as inner:
            raise RuntimeError("e-mail a@b.nl") from inner
    except RuntimeError as exc:
        text = describe(exc)
    assert text.startswith("RuntimeError at ") and "<- OSError at " in text
    assert "1011" not in text and "@" not in text


def test_only_the_guard_sends_the_failed_turn_apology():
    from pathlib import Path

    senders = [
        path.name for path in Path("actions").glob("*.py") if FAILED_TURN in path.read_text()
    ]
    assert senders == []

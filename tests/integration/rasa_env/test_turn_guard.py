"""bot/turn_guard.py in Rasa's own environment: every failure behind a turn is answered."""

from __future__ import annotations

import re

import pytest

from tests.integration.rasa_env.rasa_python import run_script

pytestmark = pytest.mark.integration

NL = "Sorry, er ging net iets mis aan onze kant"
EN = "Sorry, something went wrong on our side just now"


@pytest.fixture(scope="module")
def found() -> dict:
    return run_script("turn_guard_cases.py")


def test_a_custom_action_that_fails_in_any_way_ends_the_turn_in_the_customers_language(found):
    assert found["action fine"] == "events: ['slot']"
    for how in ("error", "failed", "hang", "unreachable"):
        assert found[f"action {how}"].startswith("turn failed (en,"), how
    seconds = float(re.search(r"(\d+\.\d)s\)", found["action hang"]).group(1))  # type: ignore[union-attr]
    assert seconds < 2  # the guard's timeout, not the 300 s of Rasa's HTTP client


def test_a_form_declining_a_message_is_ordinary_dialogue_not_a_failure(found):
    assert found["action reject"] == "rejected"


def test_a_store_that_is_down_still_gets_the_customer_an_answer(found):
    [dutch] = found["store down, Dutch text"]
    [english] = found["store down, English text"]
    dutch_then_english = found["store down, no language"]  # "100482" tells no language
    assert dutch.startswith(NL) and EN not in dutch
    assert english.startswith(EN) and NL not in english
    assert [text[: len(NL)] for text in dutch_then_english] == [NL, EN[: len(NL)]]


def test_what_was_said_before_the_failure_stays_and_the_apology_follows(found):
    assert found["action down mid-turn"][0] == "(said before)"
    assert found["action down mid-turn"][1].startswith(NL)


def test_the_tracker_store_fails_loudly_instead_of_starting_an_empty_conversation(found):
    assert found["failing tracker store"] == "raised"


def test_a_lock_lost_after_the_turn_was_saved_is_no_reason_to_ask_for_the_message_again(found):
    assert found["lock lost after the turn"] == ["(answered)"]

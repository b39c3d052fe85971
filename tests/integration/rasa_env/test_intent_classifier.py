"""bot/components/intent_classifier.py, trained and loaded by Rasa as in production."""

from __future__ import annotations

import pytest

from tests.integration.rasa_env.rasa_python import run_script


@pytest.fixture(scope="module")
def parsed() -> dict:
    return run_script("intent_classifier_cases.py")


def test_a_message_with_two_complaints_reports_the_second(parsed) -> None:
    two = parsed["two"]
    assert two["intent"] in ("complain_late_delivery", "complain_damaged_product")
    other = {
        "complain_late_delivery": "damaged_product",
        "complain_damaged_product": "late_delivery",
    }
    assert two["also"] == [other[two["intent"]]]


def test_a_message_with_one_complaint_reports_no_second(parsed) -> None:
    assert parsed["one"]["intent"] == "complain_late_delivery"
    assert parsed["one"]["also"] == []


def test_a_long_message_is_not_more_certain_for_being_long(parsed) -> None:
    # The same words twelve times over: the raw-count classifier's confidence would go to 1.
    assert parsed["long"]["intent"] == "complain_late_delivery"
    assert parsed["long"]["confidence"] < 0.99

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.order_form import FAILURES, ValidateOrderForm
from tests.unit.actions.conftest import a_tracker


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("100482", "100482"),
        ("#100482", "100482"),
        ("it's 100482 I think", "100482"),
        ("bestelling 100482!", "100482"),
    ],
)
async def test_an_order_number_is_found_in_what_the_customer_typed(said, expected):
    dispatcher = CollectingDispatcher()
    result = await ValidateOrderForm().validate_order_number(said, dispatcher, a_tracker(), {})
    assert result == {"order_number": expected, FAILURES: 0}
    assert dispatcher.messages == []


@pytest.mark.parametrize("said", ["12345", "1004821", "012345", "no idea", "", None])
async def test_a_malformed_order_number_is_refused_with_a_hint(said):
    dispatcher = CollectingDispatcher()
    result = await ValidateOrderForm().validate_order_number(said, dispatcher, a_tracker(), {})
    assert result == {"order_number": None, FAILURES: 1}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_number_invalid"]


async def test_after_two_wrong_numbers_the_bot_offers_e_mail_and_postcode_instead():
    dispatcher = CollectingDispatcher()
    tracker = a_tracker({FAILURES: 1})
    result = await ValidateOrderForm().validate_order_number("geen idee", dispatcher, tracker, {})
    assert result == {"order_number": None, FAILURES: 2}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_number_other_way"]


async def test_the_e_mail_and_postcode_together_find_the_order_and_prove_it():
    said = "anna@example.nl en 3512 je"
    result = await ValidateOrderForm().validate_order_number(
        said, CollectingDispatcher(), a_tracker({FAILURES: 2}), {}
    )
    assert result == {"order_number": "100482", "second_fact": "3512JE", FAILURES: 0}


async def test_an_e_mail_with_the_wrong_postcode_finds_nothing_and_tells_nothing():
    dispatcher = CollectingDispatcher()
    said = "anna@example.nl 1011 AB"
    result = await ValidateOrderForm().validate_order_number(said, dispatcher, a_tracker(), {})
    assert result == {"order_number": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_not_found_by_contact"]


@pytest.mark.parametrize(
    ("said", "expected"),
    [("3512 JE", "3512JE"), ("3512je", "3512JE"), ("postcode is 1011 ab", "1011AB")],
)
def test_a_postcode_is_normalised(said, expected):
    result = ValidateOrderForm().validate_second_fact(said, CollectingDispatcher(), a_tracker(), {})
    assert result == {"second_fact": expected}


@pytest.mark.parametrize("said", ["3512", "0512 JE", "amsterdam"])
def test_a_malformed_postcode_is_refused_with_a_hint(said):
    dispatcher = CollectingDispatcher()
    result = ValidateOrderForm().validate_second_fact(said, dispatcher, a_tracker(), {})
    assert result == {"second_fact": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_second_fact_invalid"]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Anna.deVries@Example.nl", "anna.devries@example.nl"),
        ("it's sam@example.com", "sam@example.com"),
    ],
)
def test_the_e_mail_address_of_the_order_is_accepted_instead_of_a_postcode(said, expected):
    result = ValidateOrderForm().validate_second_fact(said, CollectingDispatcher(), a_tracker(), {})
    assert result == {"second_fact": expected}

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.order_form import ValidateOrderForm
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
def test_an_order_number_is_found_in_what_the_customer_typed(said, expected):
    dispatcher = CollectingDispatcher()
    result = ValidateOrderForm().validate_order_number(said, dispatcher, a_tracker(), {})
    assert result == {"order_number": expected}
    assert dispatcher.messages == []


@pytest.mark.parametrize("said", ["12345", "1004821", "012345", "no idea", "", None])
def test_a_malformed_order_number_is_refused_with_a_hint(said):
    dispatcher = CollectingDispatcher()
    result = ValidateOrderForm().validate_order_number(said, dispatcher, a_tracker(), {})
    assert result == {"order_number": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_number_invalid"]


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

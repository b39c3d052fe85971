"""Late-delivery conversations held with the running assistant, in English and Dutch."""

import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e

WINDOW = re.compile(r"(\d\d:\d\d)\D+(\d\d:\d\d)")


def exported_moments(customer) -> list[dict]:
    """The journey store's recovery moments, through the operators' export command."""
    env = {**os.environ, "HERSTEL_VAR_DIR": str(customer.stack.var_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "herstel.cli", "journeys", "export"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_an_english_late_delivery_gets_the_carriers_window_and_how_late_it_is(customer, orders):
    first = customer.says(f"my parcel still hasn't arrived, order {orders.like('100482')}")
    assert "look into it" in first
    assert "postcode" in first  # the order number was understood; identity comes next
    answer = customer.says("3512 JE")
    assert "PostNL" in answer
    assert "delivery van" in answer
    assert WINDOW.search(answer)
    assert "later than we promised" in answer
    assert re.search(r"1 hour and \d+ minutes later", answer)


def test_a_dutch_late_delivery_is_answered_in_dutch_from_start_to_end(customer, orders):
    first = customer.says("Hoi, mijn pakket is nog steeds niet binnen")
    assert "Wat vervelend" in first
    assert "ordernummer" in first
    assert "postcode" in customer.says(orders.like("100482"))
    answer = customer.says("3512 JE")
    assert "Ik heb het bij PostNL nagevraagd" in answer
    assert "bezorgbus" in answer
    assert WINDOW.search(answer)
    assert "later dan we beloofd hadden" in answer


def test_a_customer_who_switches_language_is_answered_in_the_new_one(customer, orders):
    assert "ordernummer" in customer.says("mijn bestelling is te laat")
    number = orders.like("100482")
    assert "postcode" in customer.says(f"sorry, can we do this in English? It's {number}")
    reply = customer.says("3512 JE")
    assert "I checked with PostNL" in reply


def test_an_unknown_order_number_is_told_politely_and_asked_again(customer):
    customer.says("where is my parcel? order 999999")
    reply = customer.says("3512 JE")
    assert "couldn't find an order" in reply
    assert "order number" in reply  # asked again; the conversation goes on


def test_a_malformed_order_number_gets_a_hint_in_dutch(customer):
    customer.says("mijn pakket is er nog niet")
    reply = customer.says("12345")
    assert "6 cijfers" in reply
    assert "ordernummer" in reply


def test_a_carrier_error_gets_a_clear_answer_and_the_conversation_goes_on(customer, orders):
    customer.says(f"my order {orders.like('100310')} is late")
    reply = customer.says("2511 CV")
    assert "PostNL" in reply and "aren't answering right now" in reply
    # The mandate has nothing to give without the carrier's facts: the answer is a moment,
    # and the survey follows it; a "thanks" then ends the survey.
    assert "score would you give" in reply
    assert "Thank you" in customer.says("thanks")


def test_a_carrier_that_does_not_answer_in_time_gets_a_clear_answer_in_dutch(customer, orders):
    customer.says(f"mijn pakket {orders.like('100309')} is nog niet bezorgd")
    reply = customer.says("1011 AB")
    assert "reageren nu niet" in reply
    assert "Traceback" not in reply


def test_the_late_laptop_ends_with_a_voucher_issued_once_after_an_explicit_yes(customer, orders):
    customer.says("Hoi, mijn laptop zou voor 12 uur komen en hij is er nog steeds niet")
    customer.says(orders.like("100482"))
    answer = customer.says("3512 JE")
    assert "tegoedbon van €10" in answer
    assert "Zal ik dat regelen?" in answer
    done = customer.says("ja graag")
    code = re.search(r"je code is (HRST-\w{4}-\w{4})", done)
    assert code, done
    assert "welk cijfer geef je dit gesprek" in done
    assert "hoe makkelijk" in customer.says("8")
    assert "Dank je wel" in customer.says("6")
    # A yes now does not issue a second voucher.
    assert "HRST-" not in customer.says("ja")
    moments = [
        m
        for m in exported_moments(customer)
        if m["gestures"] and m["gestures"][0]["ref"] == code.group(1)
    ]
    assert len(moments) == 1
    assert (moments[0]["csat"], moments[0]["ces"], moments[0]["language"]) == (8, 6, "nl")


def test_declining_the_voucher_leads_to_a_person_not_to_more_money(customer, orders):
    customer.says(f"my parcel is late, order {orders.like('100482')}")
    assert "voucher of €10" in customer.says("3512 JE")
    reply = customer.says("no, is that all?")
    assert "colleague" in reply
    assert "HRST-" not in reply

"""Customers who don't follow the happy path: lost order numbers, questions mid-form,
a request for a person mid-form, a second complaint, starting with only emotion."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Customer, Orders

pytestmark = pytest.mark.e2e


def test_two_wrong_order_numbers_lead_to_e_mail_and_postcode_instead(customer: Customer):
    customer.says("my order is late")
    assert "6 digits" in customer.says("I don't have it")
    other_way = customer.says("no idea where it is")
    assert "e-mail address you ordered with" in other_way and "colleague" in other_way
    facts = customer.says("anna.devries@example.nl 3512 JE")
    assert "PostNL" in facts


def test_a_question_mid_form_is_answered_and_the_form_goes_on(customer: Customer, orders: Orders):
    customer.says("mijn pakket is nog steeds niet binnen")
    reply = customer.says("ben jij een robot?")
    assert "assistent" in reply.lower() and "ordernummer" in reply.lower()
    assert "postcode" in customer.says(orders.like("100482")).lower()


def test_asking_for_a_person_mid_form_hands_over(customer: Customer):
    customer.says("my parcel is late")
    reply = customer.says("I want to talk to a real person")
    assert "colleague" in reply and "order number" not in reply.lower()


def test_a_customer_who_starts_with_only_emotion_is_acknowledged_first(customer: Customer):
    reply = customer.says("ik ben het zat")
    assert "dwarszit" in reply and "Vertel me wat er is gebeurd" in reply


def test_a_second_complaint_about_the_same_order_is_checked_too(customer: Customer, orders: Orders):
    customer.says(f"my laptop order {orders.like('100482')} is late")
    assert "voucher" in customer.says("3512 JE")
    customer.says("no thanks")
    second = customer.says("and the box was damaged as well")
    assert "sorry" in second.lower()

"""The leaking shower oil: a replacement to keep and a treat, offered unasked, issued once."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_leaking_shower_oil_is_replaced_with_a_treat_after_a_yes(customer, orders):
    first = customer.says(
        "hi, ordered a cuddly toy and a shower oil for a friend who just had a baby "
        "and the oil leaked all over the box, it's half empty"
    )
    assert "order number" in first
    customer.says(orders.like("100517"))
    offer = customer.says("1011 AB")
    assert "a new shower oil, and you can keep the damaged one" in offer
    assert "something sweet" in offer
    assert "Shall I go ahead?" in offer
    done = customer.says("yes please")
    assert "is on its way" in done
    assert "treat" in done


def test_de_lekkende_douche_olie_in_het_nederlands(customer, orders):
    customer.says("de douche-olie die ik bestelde is helemaal gelekt in de doos")
    customer.says(orders.like("100517"))
    offer = customer.says("1011 AB")
    assert "de beschadigde mag je houden" in offer
    assert "Zal ik dat regelen?" in offer
    done = customer.says("ja graag")
    assert "Geregeld" in done

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herstel.money import CurrencyMismatch, Money


def test_money_is_built_from_a_decimal_string_without_float_error():
    assert Money.of("0.10") + Money.of("0.20") == Money.of("0.30")
    assert Money.of("12.50").minor == 1250


def test_money_refuses_more_precision_than_the_currency_has():
    with pytest.raises(ValueError, match="precision"):
        Money.of("1.005")


def test_money_refuses_a_float_as_minor_units():
    with pytest.raises(TypeError):
        Money(10.5)  # type: ignore[arg-type]


def test_adding_different_currencies_is_an_error():
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "EUR") + Money.of("1", "USD")


def test_money_formats_for_dutch_and_english_readers():
    assert Money.of("10").format("en") == "€10"
    assert Money.of("1199.50").format("en") == "€1,199.50"
    assert Money.of("1199.50").format("nl") == "€1.199,50"


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=100))
def test_a_percentage_never_exceeds_the_whole(minor, pct):
    whole = Money(minor)
    part = whole.percent(pct)
    assert Money.zero() <= part <= whole
    assert abs(Decimal(part.minor) - Decimal(minor) * pct / 100) <= Decimal("0.5")

"""Budget periods follow the Amsterdam calendar, whatever the UTC time says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herstel.clock import AMSTERDAM
from journeys.errors import LedgerCurrencyMismatch
from journeys.periods import day_start, spec_for, specs_for_request
from tests.support.gestures import a_request, customer_limit, day_limit, month_limit


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_half_past_eleven_utc_on_31_october_is_already_1_november_in_amsterdam() -> None:
    spec = spec_for(day_limit("100"), utc(2026, 10, 31, 23, 30), None)
    assert spec.key == "day:2026-11-01:all"
    assert spec.period_start == utc(2026, 10, 31, 23, 0)


def test_half_past_ten_utc_on_31_october_is_still_october() -> None:
    assert spec_for(month_limit("100"), utc(2026, 10, 31, 22, 30), None).key == "month:2026-10:all"
    assert spec_for(month_limit("100"), utc(2026, 10, 31, 23, 30), None).key == "month:2026-11:all"


def test_the_month_starts_at_local_midnight_in_utc() -> None:
    spec = spec_for(month_limit("100", "voucher"), utc(2026, 7, 15, 12), None)
    assert spec.key == "month:2026-07:voucher"
    assert spec.period_start == utc(2026, 6, 30, 22, 0)  # summer time: UTC+2


def test_the_day_the_clocks_go_back_lasts_twenty_five_hours() -> None:
    start = day_start(utc(2026, 10, 25, 12))
    end = day_start(utc(2026, 10, 26, 12))
    assert end - start == timedelta(hours=25)
    assert spec_for(day_limit("1"), utc(2026, 10, 24, 22, 30), None).key == "day:2026-10-25:all"
    assert spec_for(day_limit("1"), utc(2026, 10, 25, 22, 30), None).key == "day:2026-10-25:all"


def test_the_day_the_clocks_go_forward_lasts_twenty_three_hours() -> None:
    start = day_start(datetime(2026, 3, 29, 12, tzinfo=AMSTERDAM))
    assert day_start(datetime(2026, 3, 30, 12, tzinfo=AMSTERDAM)) - start == timedelta(hours=23)


def test_a_customer_window_rolls_back_from_now_and_names_the_customer() -> None:
    spec = spec_for(customer_limit("50", days=30), utc(2026, 11, 22, 14), "cus_9")
    assert spec.key == "customer:cus_9:30d:all"
    assert spec.period_start == utc(2026, 10, 23, 14)
    assert spec.rolling


def test_a_request_only_meets_the_limits_for_its_kind_sorted_by_key() -> None:
    limits = [day_limit("100"), month_limit("50", "refund"), customer_limit("30", kind="voucher")]
    specs = specs_for_request(a_request(kind="voucher", limits=limits), utc(2026, 11, 22, 14))
    assert [s.key for s in specs] == ["customer:cus_1:30d:voucher", "day:2026-11-22:all"]


def test_two_limits_on_one_counter_keep_the_stricter() -> None:
    limits = [day_limit("100"), day_limit("40")]
    (spec,) = specs_for_request(a_request(limits=limits), utc(2026, 11, 22, 14))
    assert spec.limit.minor == 4000


def test_a_limit_in_another_currency_than_the_gesture_is_refused() -> None:
    request = a_request(currency="EUR", limits=[day_limit("100", currency="USD")])
    with pytest.raises(LedgerCurrencyMismatch):
        specs_for_request(request, utc(2026, 11, 22, 14))


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        spec_for(day_limit("1"), datetime(2026, 11, 22, 14), None)

"""Builders for ledger requests and limits, with defaults a test overrides by name."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from herstel.money import Money
from journeys.records import BudgetLimit, ReservationRequest

_keys = itertools.count(1)


def day_limit(amount: str, kind: str | None = None, currency: str = "EUR") -> BudgetLimit:
    return BudgetLimit("day", Money.of(amount, currency), kind)


def month_limit(amount: str, kind: str | None = None, currency: str = "EUR") -> BudgetLimit:
    return BudgetLimit("month", Money.of(amount, currency), kind)


def customer_limit(
    amount: str, days: int = 30, kind: str | None = None, currency: str = "EUR"
) -> BudgetLimit:
    return BudgetLimit("customer_period", Money.of(amount, currency), kind, days)


def a_request(
    *,
    key: str | None = None,
    amount: str = "10",
    currency: str = "EUR",
    customer: str = "cus_1",
    kind: str = "voucher",
    limits: Sequence[BudgetLimit] = (),
    case: str = "case_1",
    order: str = "1001",
) -> ReservationRequest:
    return ReservationRequest(
        idempotency_key=key or f"key-{next(_keys)}",
        case_id=case,
        customer_id=customer,
        order_number=order,
        kind=kind,
        amount=Money.of(amount, currency),
        decided_by="bot",
        mandate_version="2026-11-01",
        limits=tuple(limits),
    )

"""Value types of the gesture ledger: requests, reservations, limits and reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from herstel.money import Money

# day, month: a budget per Amsterdam day or month; customer_period: per customer over a
# rolling window; order: everything given on one order; gesture: one gesture on its own.
Scope = Literal["day", "month", "customer_period", "order", "gesture"]
SCOPES: tuple[Scope, ...] = ("day", "month", "customer_period", "order", "gesture")
# What a count limit counts, under the customer's lock: treats this calendar month, and the
# customer's other cases (complaints) within a rolling window.
Counted = Literal["treats_this_month", "complaints"]


class GestureState(StrEnum):
    RESERVED = "reserved"  # budget taken, gesture not yet handed out
    ISSUED = "issued"  # handed out (result_ref names it, e.g. the voucher code)
    RELEASED = "released"  # never handed out; its budget was given back


LIVE_STATES = (GestureState.RESERVED.value, GestureState.ISSUED.value)


@dataclass(frozen=True, slots=True)
class BudgetLimit:
    """One money cap from the mandate (see Scope)."""

    scope: Scope
    limit: Money
    kind: str | None = None  # None: all kinds together
    period_days: int | None = None  # only for customer_period: the rolling window

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"unknown budget scope {self.scope!r}")
        if self.limit.minor < 0:
            raise ValueError("a budget limit cannot be negative")
        if (self.scope == "customer_period") != (self.period_days is not None):
            raise ValueError("period_days is required for customer_period and only there")
        if self.period_days is not None and self.period_days <= 0:
            raise ValueError("period_days must be positive")

    def applies_to(self, kind: str) -> bool:
        return self.kind is None or self.kind == kind


@dataclass(frozen=True, slots=True)
class CountLimit:
    """At most `most` of what is counted, this gesture (or this case) included."""

    counted: Counted
    most: int
    period_days: int | None = None  # for complaints: the rolling window

    def __post_init__(self) -> None:
        if self.most < 0:
            raise ValueError("a count limit cannot be negative")
        if (self.counted == "complaints") != (self.period_days is not None):
            raise ValueError("period_days is required for complaints and only there")


@dataclass(frozen=True, slots=True)
class ReservationRequest:
    idempotency_key: str
    case_id: str
    customer_id: str
    order_number: str
    kind: str
    amount: Money
    decided_by: str  # "bot" or "agent:U123"
    mandate_version: str
    limits: tuple[BudgetLimit, ...] | list[BudgetLimit] = ()
    counts: tuple[CountLimit, ...] = ()
    # Gestures granted together share a decision; a case gets one decision, so a second one
    # (another conversation, another agent) is refused. "": this request is its own decision.
    decision: str = ""

    def __post_init__(self) -> None:
        if not self.idempotency_key:
            raise ValueError("an idempotency key is required")
        if self.amount.minor < 0:
            raise ValueError("a gesture cannot have a negative amount")


@dataclass(frozen=True, slots=True)
class Reservation:
    id: str
    idempotency_key: str
    case_id: str
    customer_id: str
    order_number: str
    kind: str
    amount: Money
    decided_by: str
    mandate_version: str
    state: GestureState
    created_at: datetime
    result_ref: str | None = None
    # Reserved by this call, not a replay of an earlier reservation (not part of equality).
    new: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class BudgetLine:
    key: str
    limit: Money
    spent: Money

    @property
    def remaining(self) -> Money:
        return Money(max(self.limit.minor - self.spent.minor, 0), self.limit.currency)


@dataclass(frozen=True, slots=True)
class BudgetUsage:
    """Spent per budget key at one moment, for the limits asked about."""

    at: datetime
    lines: Mapping[str, BudgetLine] = field(default_factory=lambda: MappingProxyType({}))

    def spent(self, key: str) -> Money:
        return self.lines[key].spent


@dataclass(frozen=True, slots=True)
class KindHistory:
    count: int
    total: Money


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """Live (reserved or issued) gestures for one customer since a moment."""

    customer_id: str
    since: datetime
    count: int
    total: Money
    by_kind: Mapping[str, KindHistory]

"""Budget periods and counter keys, computed from an injected now in Amsterdam time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from herstel.clock import AMSTERDAM
from herstel.money import Money
from journeys.errors import LedgerCurrencyMismatch
from journeys.records import BudgetLimit, ReservationRequest, Scope


@dataclass(frozen=True, slots=True)
class CounterSpec:
    """The counter row one limit maps to at one moment."""

    key: str
    scope: Scope
    kind: str | None
    period_start: datetime  # UTC; for customer_period the start of the rolling window
    period_days: int | None
    limit: Money

    @property
    def rolling(self) -> bool:
        return self.scope == "customer_period"

    @property
    def recomputed(self) -> bool:
        """Kept as the sum of the ledger's live rows (a window or an order), not added to."""
        return self.scope in ("customer_period", "order")


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("budget periods need a timezone-aware now")
    return now


def day_start(now: datetime) -> datetime:
    """Local midnight (Amsterdam) of now's local day, in UTC: a day is 23, 24 or 25 hours."""
    local = _aware(now).astimezone(AMSTERDAM)
    return datetime.combine(local.date(), time(), AMSTERDAM).astimezone(UTC)


def month_start(now: datetime) -> datetime:
    local = _aware(now).astimezone(AMSTERDAM)
    return datetime.combine(local.date().replace(day=1), time(), AMSTERDAM).astimezone(UTC)


def window_start(now: datetime, days: int) -> datetime:
    """Start of a rolling window: gestures created strictly after it count."""
    return _aware(now).astimezone(UTC) - timedelta(days=days)


EVER = datetime(1970, 1, 1, tzinfo=UTC)  # the period of a counter that never resets


def spec_for(
    limit: BudgetLimit, now: datetime, customer_id: str | None, order_number: str | None = None
) -> CounterSpec:
    local = _aware(now).astimezone(AMSTERDAM)
    kind = limit.kind or "all"
    if limit.scope == "day":
        key, start = f"day:{local:%Y-%m-%d}:{kind}", day_start(now)
    elif limit.scope == "month":
        key, start = f"month:{local:%Y-%m}:{kind}", month_start(now)
    elif limit.scope == "order":
        if order_number is None:
            raise ValueError("an order budget needs an order")
        key, start = f"order:{order_number}:{kind}", EVER
    elif limit.scope == "gesture":
        raise ValueError("a per-gesture cap has no counter")
    else:
        if customer_id is None:
            raise ValueError("a customer_period budget needs a customer")
        days = limit.period_days or 0
        key, start = f"customer:{customer_id}:{days}d:{kind}", window_start(now, days)
    return CounterSpec(key, limit.scope, limit.kind, start, limit.period_days, limit.limit)


def specs_for_request(request: ReservationRequest, now: datetime) -> list[CounterSpec]:
    """The counters a reservation must fit, sorted by key so every writer locks in one order."""
    by_key: dict[str, CounterSpec] = {}
    for limit in request.limits:
        if limit.limit.currency != request.amount.currency:
            raise LedgerCurrencyMismatch(
                f"limit in {limit.limit.currency}, gesture in {request.amount.currency}"
            )
        if not limit.applies_to(request.kind) or limit.scope == "gesture":
            continue
        spec = spec_for(limit, now, request.customer_id, request.order_number)
        known = by_key.get(spec.key)
        if known is None or spec.limit < known.limit:
            by_key[spec.key] = spec  # two limits on one counter: the stricter wins
    return [by_key[key] for key in sorted(by_key)]

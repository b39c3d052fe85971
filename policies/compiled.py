"""The fast form of a policy: plain slotted objects and integers, built once at load time."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from herstel.money import Money
from policies.concepts import LEVELS, ComplaintType, GestureKind
from policies.decision import Offer
from policies.model import (
    Apology,
    Escalation,
    FullRefund,
    Gesture,
    HoursRange,
    LevelCaps,
    Match,
    MoneyRange,
    PartialRefund,
    Policy,
    Replacement,
    Rule,
    ShippingRefund,
    Treat,
    Voucher,
)
from policies.reasons import Reason

NO_CAP = 1 << 62  # an "unlimited" cap in minor units: larger than any real amount

# How a gesture's cost follows from the case.
ZERO, FIXED, PERCENT, ITEM, ORDER, SHIPPING = range(6)

_UNASKED = Reason("unasked")


@dataclass(frozen=True, slots=True)
class Step:
    """One ladder step, with its cost rule reduced to integers."""

    step: int
    kind: GestureKind
    spec: Gesture
    rank: int  # level that may grant it without asking
    unasked: bool
    mode: int
    fixed: int = 0  # FIXED cost in minor units
    pct_num: int = 0  # PERCENT: cost = order * pct_num / pct_den, rounded half-even
    pct_den: int = 1
    clip: int = NO_CAP  # PERCENT: the cost never exceeds this
    limit: int = NO_CAP  # above this the step needs the next level
    monthly_limit: int = NO_CAP  # treats per customer per month
    percent: Decimal | None = None
    notes: tuple[Reason, ...] = ()  # static reasons: which rule, whether unasked
    fixed_money: Money | None = None  # the FIXED cost, built once
    clip_money: Money | None = None  # the PERCENT ceiling, built once
    ready: Offer | None = None  # a free step (an apology) is the same offer every time


@dataclass(frozen=True, slots=True)
class Condition:
    """A `match` reduced to sets and integers: what a rule or an escalation applies to."""

    complaints: frozenset[str] | None
    hours: tuple[float, bool, float, bool] | None  # (low, low_strict, high, high_strict)
    damage: frozenset[str] | None
    value_low: int
    value_high: int
    segments: frozenset[str] | None
    channels: frozenset[str] | None
    evidence: frozenset[str] | None
    max_previous: int
    active_from: date | None
    active_until: date | None


@dataclass(frozen=True, slots=True)
class CompiledRule(Condition):
    index: int
    id: str
    steps: tuple[Step, ...]
    unasked: tuple[Step, ...]  # handed out together, so judged together
    asked: tuple[Step, ...]
    escalate: bool
    has_remedy: bool  # the ladder offers more than an apology
    matched: Reason


@dataclass(frozen=True, slots=True)
class CompiledEscalation(Condition):
    id: str
    reason: Reason
    on_value: bool  # its match is about the order's value (a high-value hand-over)


@dataclass(frozen=True, slots=True)
class CompiledMandate:
    name: str
    version: str
    currency: str
    history_days: int
    shipping_fee: Money
    zero: Money
    rules_in_order: tuple[CompiledRule, ...]
    rules_by_complaint: dict[str, tuple[CompiledRule, ...]]  # the engine looks here first
    escalations: tuple[CompiledEscalation, ...]
    per_gesture: dict[str, tuple[int, int, int]]  # kind -> cap by level rank
    per_order: tuple[int, int, int]
    per_customer: tuple[int, int, int]
    budget_checks: dict[str, tuple[BudgetCheck, ...]]  # kind -> the budgets it draws on
    over_budget: int | None  # rank that may exceed a spent budget; None: nobody


class BudgetCheck(NamedTuple):
    period: str  # "day" or "month"
    scope: str  # "overall" or a gesture kind
    limit: int
    monthly: bool
    overall: bool


_new = object.__new__
_set = object.__setattr__


def fast_money(minor: int, currency: str) -> Money:
    """Money from an int and a currency already known to be valid, skipping re-validation.

    Only for amounts the engine computed itself; four times cheaper than Money(...).
    """
    money = _new(Money)
    _set(money, "minor", minor)
    _set(money, "currency", currency)
    return money


def percent_of(minor: int, num: int, den: int) -> int:
    """minor * num / den / 100, rounded half-even: the integer twin of Money.percent."""
    q, r = divmod(minor * num, den * 100)
    twice, whole = 2 * r, den * 100
    if twice > whole or (twice == whole and q % 2 == 1):
        q += 1
    return q


def _minor(money: Money | None, default: int = NO_CAP) -> int:
    return default if money is None else money.minor


def compile_step(rule_id: str, index: int, gesture: Gesture, currency: str) -> Step:
    notes: tuple[Reason, ...] = (Reason("from_rule", (rule_id, index + 1)),)
    if gesture.unasked:
        notes += (_UNASKED,)
    base = {
        "step": index,
        "kind": GestureKind(gesture.kind),
        "spec": gesture,
        "rank": gesture.level.rank,
        "unasked": gesture.unasked,
        "notes": notes,
    }
    step = Step(**base, **_cost_rule(gesture))  # type: ignore[arg-type]
    if step.mode == ZERO:
        ready = Offer(
            step.kind, Money(0, currency), gesture.level, gesture.unasked, notes, gesture, index
        )
        step = replace(step, ready=ready)
    return step


def _cost_rule(g: Gesture) -> dict[str, object]:
    if isinstance(g, Apology):
        return {"mode": ZERO}
    if isinstance(g, Treat):
        limit = g.monthly_limit or NO_CAP
        return {
            "mode": FIXED,
            "fixed": g.value.minor,
            "fixed_money": g.value,
            "monthly_limit": limit,
        }
    if isinstance(g, Voucher | PartialRefund) and g.percent is not None:
        num, den = g.percent.as_integer_ratio()
        return {
            "mode": PERCENT,
            "pct_num": num,
            "pct_den": den,
            "clip": _minor(g.max),
            "clip_money": g.max,
            "percent": g.percent,
        }
    if isinstance(g, Voucher) and g.amount is not None:
        return {"mode": FIXED, "fixed": g.amount.minor, "fixed_money": g.amount}
    if isinstance(g, ShippingRefund):
        return {"mode": SHIPPING, "limit": _minor(g.max)}
    if isinstance(g, Replacement):
        return {"mode": ITEM, "limit": _minor(g.max)}
    if isinstance(g, FullRefund):
        return {"mode": ORDER, "limit": _minor(g.max)}
    raise TypeError(f"unknown gesture {g!r}")  # pragma: no cover - the schema prevents it


# `hours_late: unknown`: no number of hours fits; only a case without carrier facts does.
UNKNOWN_HOURS = (math.inf, True, -math.inf, True)


def hours_bounds(r: HoursRange | str | None) -> tuple[float, bool, float, bool] | None:
    if r is None:
        return None
    if r == "unknown":
        return UNKNOWN_HOURS
    assert isinstance(r, HoursRange)
    low, low_strict = (r.more_than, True) if r.more_than is not None else (r.at_least, False)
    high, high_strict = (r.less_than, True) if r.less_than is not None else (r.at_most, False)
    return (
        -math.inf if low is None else low,
        low_strict,
        math.inf if high is None else high,
        high_strict,
    )


def money_bounds(r: MoneyRange | None) -> tuple[int, int]:
    """Inclusive bounds in minor units: amounts are whole cents, so more_than x is x + 1."""
    if r is None:
        return -NO_CAP, NO_CAP
    low = r.at_least.minor if r.at_least else (r.more_than.minor + 1 if r.more_than else -NO_CAP)
    high = r.at_most.minor if r.at_most else (r.less_than.minor - 1 if r.less_than else NO_CAP)
    return low, high


def _as_set(values: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _condition(m: Match) -> dict[str, object]:
    low, high = money_bounds(m.order_value)
    return {
        "complaints": _as_set(m.complaint),
        "hours": hours_bounds(m.hours_late),
        "damage": _as_set(m.damage),
        "value_low": low,
        "value_high": high,
        "segments": _as_set(m.segment),
        "channels": _as_set(m.channel),
        "evidence": _as_set(m.evidence),
        "max_previous": NO_CAP if m.max_previous_complaints is None else m.max_previous_complaints,
        "active_from": m.active_from,
        "active_until": m.active_until,
    }


def compile_rule(index: int, rule: Rule, currency: str) -> CompiledRule:
    steps = tuple(compile_step(rule.id, i, g, currency) for i, g in enumerate(rule.ladder))
    return CompiledRule(
        index=index,
        id=rule.id,
        steps=steps,
        unasked=tuple(s for s in steps if s.unasked),
        asked=tuple(s for s in steps if not s.unasked),
        escalate=rule.escalate,
        has_remedy=any(s.kind != GestureKind.APOLOGY for s in steps),
        matched=Reason("rule_matched", (rule.id,)),
        **_condition(rule.match),  # type: ignore[arg-type]
    )


def compile_escalation(escalation: Escalation) -> CompiledEscalation:
    return CompiledEscalation(
        id=escalation.id,
        reason=Reason("escalate_when", (escalation.id,)),
        on_value=escalation.match.order_value is not None,
        **_condition(escalation.match),  # type: ignore[arg-type]
    )


def _by_level(caps: list[LevelCaps], pick: str) -> tuple[int, int, int]:
    a, b, c = (_minor(getattr(level, pick)) for level in caps)
    return a, b, c


def compile_policy(policy: Policy, version: str) -> CompiledMandate:
    rules = [compile_rule(i, r, policy.currency) for i, r in enumerate(policy.rules)]
    by_complaint = {
        str(t): tuple(
            r
            for r, src in zip(rules, policy.rules, strict=True)
            if src.match.complaint is None or t in src.match.complaint
        )
        for t in ComplaintType
    }
    caps = [getattr(policy.levels, lvl.value) for lvl in LEVELS]
    per_gesture = {
        str(kind): tuple(_minor(c.per_gesture.get(kind)) for c in caps) for kind in GestureKind
    }
    over = policy.budgets.over_budget
    return CompiledMandate(
        name=policy.name,
        version=version,
        currency=policy.currency,
        history_days=policy.history_days,
        shipping_fee=policy.shipping_fee,
        zero=Money.zero(policy.currency),
        rules_in_order=tuple(rules),
        rules_by_complaint=by_complaint,
        escalations=tuple(compile_escalation(e) for e in policy.escalate_when),
        per_gesture=per_gesture,  # type: ignore[arg-type]
        per_order=_by_level(caps, "per_order"),
        per_customer=_by_level(caps, "per_customer"),
        budget_checks={str(kind): _budget_checks(policy, kind) for kind in GestureKind},
        over_budget=None if over is None else over.rank,
    )


def _budget_checks(policy: Policy, kind: GestureKind) -> tuple[BudgetCheck, ...]:
    checks = []
    for period, limits in (("day", policy.budgets.day), ("month", policy.budgets.month)):
        for scope in ("overall", str(kind)):
            limit = limits.get(scope)  # type: ignore[call-overload]
            if limit is not None:
                checks.append(
                    BudgetCheck(period, scope, limit.minor, period == "month", scope == "overall")
                )
    return tuple(checks)

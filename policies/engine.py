"""decide(): pure, deterministic mandate decisions. No I/O, no clock: `now` is an argument."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herstel.clock import AMSTERDAM
from herstel.money import Money
from policies.case import NO_USAGE, Case
from policies.compiled import (
    FIXED,
    ITEM,
    ORDER,
    PERCENT,
    SHIPPING,
    UNKNOWN_HOURS,
    CompiledMandate,
    CompiledRule,
    Condition,
    Step,
    fast_money,
    percent_of,
)
from policies.concepts import LEVELS, GestureKind, Level
from policies.decision import Decision, Dropped, Offer, pick_for_demand
from policies.mandate import Mandate
from policies.model import Apology
from policies.reasons import Reason

_FALLBACK_APOLOGY = Apology(kind="apology", facts=("next_step",))  # type: ignore[arg-type]
_APOLOGY = GestureKind.APOLOGY
_TREAT = GestureKind.TREAT
_BOT = Level.BOT
_NAMES = tuple(level.value for level in LEVELS)  # enum .value is slow in a hot loop
_REORDERED = Reason("reordered")
_FREE_SHIPPING = Reason("free_shipping")
_NOTHING_FOR_BOT = Reason("escalate_nothing")
_ALONE = {"overall": 0}  # nothing handed out alongside; never written to


def decide(case: Case, mandate: Mandate, *, now: datetime) -> Decision:
    """What the mandate allows for this case, at which level, and why."""
    if now.tzinfo is None:
        raise ValueError("decide() needs a timezone-aware `now`")
    c = mandate.compiled
    foreign = _foreign_currency(case, c.currency)
    if foreign is not None:
        return _hand_over(c, case, now, Reason("currency", (foreign, c.currency)))
    window = case.history.window_days
    if window is not None and window < c.history_days:
        raise ValueError(f"history covers {window} days; this policy needs {c.history_days}")
    rule = _first_match(c.rules_by_complaint.get(case.complaint, ()), case, now)
    if rule is None:
        return _hand_over(c, case, now, Reason("no_rule", (case.complaint,)))
    return _apply(c, rule, case, now)


def _foreign_currency(case: Case, currency: str) -> str | None:
    """The first amount in the case that is not in the policy's currency."""
    if case.order_value.currency != currency:
        return case.order_value.currency
    for money in (case.item_value, case.shipping_paid, case.given_on_order, case.demand):
        if money is not None and money.currency != currency:
            return money.currency
    h, b = case.history, case.budget
    if h.given is not None and h.given.currency != currency:
        return h.given.currency
    if b is NO_USAGE:
        return None
    for money in (b.day_spent, b.month_spent, *b.day_by_kind.values(), *b.month_by_kind.values()):
        if money is not None and money.currency != currency:
            return money.currency
    return None


def _first_match(rules: tuple[CompiledRule, ...], case: Case, now: datetime) -> CompiledRule | None:
    """Rules are read top to bottom; the first that fits the case wins."""
    return next((r for r in rules if _fits(r, case, now)), None)


def _fits(r: Condition, case: Case, now: datetime) -> bool:
    """Whether the case is one the condition (a rule's or an escalation's match) is about."""
    value = case.order_value.minor
    if value < r.value_low or value > r.value_high or case.history.complaints > r.max_previous:
        return False
    if r.complaints is not None and case.complaint not in r.complaints:
        return False
    if r.evidence is not None and case.evidence not in r.evidence:
        return False
    if r.segments is not None and case.segment not in r.segments:
        return False
    if r.channels is not None and case.channel not in r.channels:
        return False
    if r.damage is not None and case.damage not in r.damage:
        return False
    if r.hours is not None and not _hours_fit(r.hours, case.hours_late):
        return False
    return not ((r.active_from or r.active_until) and not _active(r, now))


def _hours_fit(bounds: tuple[float, bool, float, bool], hours: float | None) -> bool:
    if hours is None:
        return bounds == UNKNOWN_HOURS
    low, low_strict, high, high_strict = bounds
    if hours < low or (low_strict and hours == low):
        return False
    return not (hours > high or (high_strict and hours == high))


def _active(r: Condition, now: datetime) -> bool:
    today = now.astimezone(AMSTERDAM).date()  # the shop's calendar day
    if r.active_from is not None and today < r.active_from:
        return False
    return r.active_until is None or today <= r.active_until


def _hand_over(c: CompiledMandate, case: Case, now: datetime, why: Reason) -> Decision:
    """Nothing in the mandate fits: apologise and let a person take it."""
    apology = Offer(_APOLOGY, c.zero, _BOT, True, (why,), _FALLBACK_APOLOGY, 0)
    return Decision(c.name, c.version, None, (apology,), (), True, (why,), now, case.demand)


class _Spent:
    """Amounts already committed, in minor units: the engine works in integers."""

    __slots__ = ("customer", "day", "day_kind", "month", "month_kind", "order")

    def __init__(self, case: Case) -> None:
        b, given, on_order = case.budget, case.history.given, case.given_on_order
        self.order = 0 if on_order is None else on_order.minor
        self.customer = 0 if given is None else given.minor
        self.day = 0 if b.day_spent is None else b.day_spent.minor
        self.month = 0 if b.month_spent is None else b.month_spent.minor
        self.day_kind = b.day_by_kind
        self.month_kind = b.month_by_kind


_Judged = tuple[Step, Money, "int | None", tuple[Reason, ...]]
_NO_SPENT = _Spent(Case("other", Money(0)))  # type: ignore[arg-type]  # for apology-only rules


def _cost(s: Step, c: CompiledMandate, case: Case) -> tuple[Money, Reason | None]:
    """The step's exact cost for this case; reuses Money objects where it can."""
    mode = s.mode
    if mode == FIXED:
        return s.fixed_money, None  # type: ignore[return-value]
    if mode == PERCENT:
        order = case.order_value
        minor = percent_of(order.minor, s.pct_num, s.pct_den)
        if minor > s.clip:
            return s.clip_money, Reason("clipped", (s.percent, order, s.clip_money))  # type: ignore[return-value]
        return fast_money(minor, c.currency), None
    if mode == ITEM:
        return case.item_value or case.order_value, None
    if mode == ORDER:
        return case.order_value, None
    if mode == SHIPPING:
        return case.shipping_paid or c.shipping_fee, None
    return c.zero, None


def _apply(c: CompiledMandate, rule: CompiledRule, case: Case, now: datetime) -> Decision:
    spent = _Spent(case) if rule.has_remedy else _NO_SPENT
    judged: list[_Judged | Offer | None] = [None] * len(rule.steps)
    # Unasked steps are handed out together (to one order, in one moment), so each is judged
    # with the ones before it; whoever hands them out, the order and the customer get them all.
    bundle = {"overall": 0}
    for s in rule.unasked:
        if s.ready is not None:  # nothing to judge in an apology
            judged[s.step] = s.ready
            continue
        cost, rank, notes = _judge(c, s, case, spent, bundle)
        if rank is not None and cost.minor:
            bundle["overall"] += cost.minor
            bundle[s.kind] = bundle.get(s.kind, 0) + cost.minor
        judged[s.step] = (s, cost, rank, notes)
    for s in rule.asked:  # asked for later, on its own: the caller then passes what was given
        if s.ready is not None:
            judged[s.step] = s.ready
            continue
        cost, rank, notes = _judge(c, s, case, spent, _ALONE)
        judged[s.step] = (s, cost, rank, notes)
    return _assemble(c, rule, case, now, judged)  # type: ignore[arg-type]


def _judge(
    c: CompiledMandate, s: Step, case: Case, spent: _Spent, bundle: dict[str, int]
) -> tuple[Money, int | None, tuple[Reason, ...]]:
    """Cost and the lowest level rank that may grant the step (None: nobody), with reasons."""
    cost, clipped = _cost(s, c, case)
    notes = s.notes if clipped is None else (*s.notes, clipped)
    minor = cost.minor
    if minor == 0:
        if s.mode == SHIPPING:
            return cost, None, (*notes, _FREE_SHIPPING)
        if s.mode == PERCENT:  # a percentage of nothing: no gesture at all
            return cost, None, (*notes, Reason("zero_amount", (s.kind,)))
        if s.kind is not _TREAT:  # a free replacement costs no cap and no budget
            return cost, s.rank, notes
    if s.kind is _TREAT and case.history.treats_this_month >= s.monthly_limit:
        limit = Reason("treat_limit", (case.history.treats_this_month, s.monthly_limit))
        return cost, None, (*notes, limit)
    if minor == 0:  # a free treat: within its monthly limit, nothing else binds
        return cost, s.rank, notes
    found: list[Reason] = []
    rank: int | None = s.rank
    if minor > s.limit:
        rank = s.rank + 1 if s.rank < 2 else None
        found.append(_reason("own_limit", c, s, cost, s.rank, s.limit, rank))
    if rank is not None and c.budget_checks[s.kind]:
        rank = _budget_rank(c, s, cost, spent, bundle, rank, found)
    if rank is not None:
        rank = _cap_rank(c, s, cost, spent, bundle, rank, found)
    return cost, rank, (*notes, *found) if found else notes


def _reason(
    code: str,
    c: CompiledMandate,
    s: Step,
    cost: Money,
    rank: int,
    cap: int,
    nxt: int | None,
    *extra: object,
) -> Reason:
    args = (s.kind, cost, *extra, _NAMES[rank], fast_money(cap, c.currency))
    return Reason(code, (*args, None if nxt is None else _NAMES[nxt]))


def _budget_rank(
    c: CompiledMandate,
    s: Step,
    cost: Money,
    spent: _Spent,
    bundle: dict[str, int],
    rank: int,
    found: list[Reason],
) -> int | None:
    """Budgets bind every level alike, unless the policy names who may exceed them."""
    minor = cost.minor
    for period, scope, limit, monthly, overall in c.budget_checks[s.kind]:
        if overall:
            used = (spent.month if monthly else spent.day) + bundle["overall"]
        else:
            money = (spent.month_kind if monthly else spent.day_kind).get(scope)
            used = (0 if money is None else money.minor) + bundle.get(scope, 0)
        left_minor = limit - used
        if minor <= left_minor:
            continue
        nxt = None if c.over_budget is None else max(rank, c.over_budget)
        left = fast_money(left_minor if left_minor > 0 else 0, c.currency)
        level = None if nxt is None else _NAMES[nxt]
        found.append(Reason("budget", (s.kind, cost, period, scope, left, level)))
        if nxt is None:
            return None
        rank = nxt
    return rank


def _cap_rank(
    c: CompiledMandate,
    s: Step,
    cost: Money,
    spent: _Spent,
    bundle: dict[str, int],
    rank: int,
    found: list[Reason],
) -> int | None:
    """The first level from `rank` up whose caps all hold; each refusal becomes a reason."""
    minor = cost.minor
    caps = c.per_gesture[s.kind]
    on_order = spent.order + bundle["overall"] + minor
    on_customer = spent.customer + bundle["overall"] + minor
    for r in range(rank, 3):
        if minor <= caps[r] and on_order <= c.per_order[r] and on_customer <= c.per_customer[r]:
            return r
        nxt = r + 1 if r < 2 else None
        if minor > caps[r]:
            found.append(_reason("level_cap", c, s, cost, r, caps[r], nxt))
        elif on_order > c.per_order[r]:
            total = fast_money(on_order, c.currency)
            found.append(_reason("order_cap", c, s, cost, r, c.per_order[r], nxt, total))
        else:
            extra = (c.history_days, fast_money(on_customer, c.currency))
            found.append(_reason("customer_cap", c, s, cost, r, c.per_customer[r], nxt, *extra))
    return None


def _assemble(
    c: CompiledMandate, rule: CompiledRule, case: Case, now: datetime, judged: list[Any]
) -> Decision:
    offers: list[Offer] = []
    dropped: list[Dropped] = []
    for item in judged:
        if type(item) is Offer:
            offers.append(item)
            continue
        s, cost, rank, notes = item
        if rank is None:
            dropped.append(Dropped(s.kind, cost, notes, s.step))
        else:
            offers.append(Offer(s.kind, cost, LEVELS[rank], s.unasked, notes, s.spec, s.step))
    gestures = _cheapest_first(offers)
    reasons = [rule.matched]
    escalate = _escalation(rule, gestures, reasons)
    # Who decides what is given: a rule that gives nothing beyond an apology leaves no decision.
    for condition in c.escalations if rule.has_remedy else ():
        if _fits(condition, case, now):
            reasons.append(condition.reason)
            escalate = True
    pick = None
    if case.demand is not None:
        pick = pick_for_demand(gestures, case.demand, 0)
        escalate = _weigh_demand(case.demand, pick, reasons) or escalate
    return Decision(
        c.name,
        c.version,
        rule.id,
        gestures,
        tuple(dropped),
        escalate,
        tuple(reasons),
        now,
        case.demand,
        pick,
    )


def _cheapest_first(offers: list[Offer]) -> tuple[Offer, ...]:
    """Keep ladder order, but never list a dearer gesture before a cheaper one."""
    previous = 0
    for offer in offers:
        if offer.cost.minor < previous:
            break
        previous = offer.cost.minor
    else:
        return tuple(offers)
    ordered = sorted(offers, key=lambda o: o.cost.minor)  # stable: ties keep ladder order
    moved = []
    for index, offer in enumerate(ordered):
        if offer is not offers[index] and any(
            o.cost.minor < offer.cost.minor and o.step > offer.step for o in offers
        ):
            offer = offer._replace(reasons=(*offer.reasons, _REORDERED))
        moved.append(offer)
    return tuple(moved)


def _escalation(rule: CompiledRule, gestures: tuple[Offer, ...], reasons: list[Reason]) -> bool:
    escalate = False
    if rule.escalate:
        reasons.append(Reason("escalate_rule", (rule.id,)))
        escalate = True
    bot_remedy = False
    for o in gestures:
        if o.kind is not _APOLOGY and o.level is _BOT:
            bot_remedy = True
        if o.unasked and o.level is not _BOT:
            reasons.append(Reason("escalate_unasked", (o.kind, o.level.value)))
            escalate = True
    if rule.has_remedy and not bot_remedy:
        reasons.append(_NOTHING_FOR_BOT)
        escalate = True
    return escalate


def _weigh_demand(demand: Money, pick: Offer | None, reasons: list[Reason]) -> bool:
    """A demand may choose among what the bot may grant; it never widens it."""
    if pick is None:
        reasons.append(Reason("demand_no_money", (demand,)))
        return True
    if pick.cost.minor < demand.minor:
        reasons.append(Reason("demand_short", (demand, pick.kind, pick.cost)))
        return True
    reasons.append(Reason("demand_met", (demand, pick.kind, pick.cost)))
    return False


__all__ = ["decide"]

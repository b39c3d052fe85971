"""Properties that hold for every case and every sensible mandate (hypothesis)."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herstel.money import Money
from policies import (
    BudgetUsage,
    CarrierEvidence,
    Case,
    Channel,
    ComplaintType,
    DamageExtent,
    Decision,
    GestureKind,
    History,
    Level,
    Mandate,
    Segment,
    decide,
    load_default,
    load_mandate_data,
)
from policies.compiled import NO_CAP
from policies.loader import DEFAULT_POLICY_PATH, parse_yaml

DEFAULT = load_default()
DEFAULT_DATA, _ = parse_yaml(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), "default.yml")
NOW = datetime(2025, 3, 4, 11, 30, tzinfo=UTC)
KINDS = [k.value for k in GestureKind if k is not GestureKind.APOLOGY]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def money(high: int) -> st.SearchStrategy[Money]:
    return st.integers(0, high).map(Money)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def cases(draw: st.DrawFn) -> Case:
    order = draw(st.integers(0, 300_000))
    by_kind = st.dictionaries(st.sampled_from(KINDS), money(400_000), max_size=3)
    return Case(
        complaint=draw(st.sampled_from(ComplaintType)),
        order_value=Money(order),
        segment=draw(st.sampled_from(Segment)),
        channel=draw(st.sampled_from(Channel)),
        evidence=draw(st.sampled_from(CarrierEvidence)),
        hours_late=draw(optional(st.floats(0, 200, allow_nan=False))),
        damage=draw(optional(st.sampled_from(DamageExtent))),
        item_value=draw(optional(st.integers(0, order).map(Money))),
        shipping_paid=draw(optional(money(2_000))),
        given_on_order=draw(optional(money(150_000))),
        demand=draw(optional(money(200_000))),
        history=History(
            complaints=draw(st.integers(0, 6)),
            given=draw(optional(money(250_000))),
            treats_this_month=draw(st.integers(0, 2)),
        ),
        budget=BudgetUsage(
            day_spent=draw(optional(money(600_000))),
            month_spent=draw(optional(money(7_000_000))),
            day_by_kind=MappingProxyType(draw(by_kind)),
            month_by_kind=MappingProxyType(draw(by_kind)),
        ),
    )


def rising(high: int) -> st.SearchStrategy[list[int]]:
    """Caps for bot, agent, lead that never fall with the level."""
    return st.lists(st.integers(0, high), min_size=3, max_size=3).map(sorted)


@st.composite
def mandates(draw: st.DrawFn) -> Mandate:
    """The default rules under random (but level-ordered) caps and budgets."""
    data = copy.deepcopy(DEFAULT_DATA)
    levels: dict[str, dict[str, Any]] = {"bot": {}, "agent": {}, "lead": {}}
    for kind in draw(st.sets(st.sampled_from(KINDS))):
        for name, cap in zip(levels, draw(rising(200_000)), strict=True):
            levels[name].setdefault("per_gesture", {})[kind] = Money(cap)
    for key in draw(st.sets(st.sampled_from(["per_order", "per_customer"]))):
        for name, cap in zip(levels, draw(rising(300_000)), strict=True):
            levels[name][key] = Money(cap)
    scopes = st.sampled_from(["overall", *KINDS])
    budgets = {
        "day": draw(st.dictionaries(scopes, money(300_000), max_size=3)),
        "month": draw(st.dictionaries(scopes, money(3_000_000), max_size=3)),
        "over_budget": draw(st.sampled_from([None, "agent", "lead"])),
    }
    data.update(levels=levels, budgets=budgets)
    return load_mandate_data(data)


def _cap(mandate: Mandate, what: str, kind: str, rank: int) -> int:
    c = mandate.compiled
    return {"gesture": c.per_gesture[kind], "order": c.per_order, "customer": c.per_customer}[what][
        rank
    ]


def _minor(m: Money | None) -> int:
    return 0 if m is None else m.minor


def _budget_left(mandate: Mandate, case: Case, kind: str) -> int:
    """The least any budget this kind draws on has left (NO_CAP when none applies)."""
    b = mandate.policy.budgets
    lefts = [NO_CAP]
    for limits, spent, by_kind in (
        (b.day, case.budget.day_spent, case.budget.day_by_kind),
        (b.month, case.budget.month_spent, case.budget.month_by_kind),
    ):
        if "overall" in limits:
            lefts.append(limits["overall"].minor - _minor(spent))
        if kind in limits:
            lefts.append(limits[kind].minor - _minor(by_kind.get(kind)))  # type: ignore[index]
    return min(lefts)


def _may_exceed_budget(mandate: Mandate, level: Level) -> bool:
    over = mandate.policy.budgets.over_budget
    return over is not None and level.rank >= over.rank


@FAST
@given(cases(), mandates())
def test_no_offer_costs_more_than_its_caps_the_order_cap_or_the_budget_left(
    case: Case, mandate: Mandate
) -> None:
    d = decide(case, mandate, now=NOW)
    for o in d.gestures:
        if o.cost.minor == 0:
            continue
        r = o.level.rank
        assert o.cost.minor <= _cap(mandate, "gesture", o.kind, r)
        assert _minor(case.given_on_order) + o.cost.minor <= _cap(mandate, "order", o.kind, r)
        assert _minor(case.history.given) + o.cost.minor <= _cap(mandate, "customer", o.kind, r)
        if not _may_exceed_budget(mandate, o.level):
            assert o.cost.minor <= _budget_left(mandate, case, o.kind)


@FAST
@given(cases(), mandates())
def test_the_unasked_bundle_a_level_hands_out_fits_that_levels_order_cap(
    case: Case, mandate: Mandate
) -> None:
    d = decide(case, mandate, now=NOW)
    for level in Level:
        bundle = sum(o.cost.minor for o in d.unasked_for(level))
        if bundle:
            cap = mandate.compiled.per_order[level.rank]
            assert _minor(case.given_on_order) + bundle <= cap


@FAST
@given(cases(), mandates())
def test_a_higher_level_may_grant_everything_a_lower_level_may(
    case: Case, mandate: Mandate
) -> None:
    d = decide(case, mandate, now=NOW)
    bot, agent, lead = (set(d.for_level(level)) for level in Level)
    assert bot <= agent <= lead
    assert lead == set(d.gestures)
    assert all(o.bot_may_grant == (o in bot) for o in d.gestures)


@FAST
@given(cases(), mandates())
def test_the_ladder_never_lists_a_dearer_gesture_before_a_cheaper_one(
    case: Case, mandate: Mandate
) -> None:
    costs = [o.cost.minor for o in decide(case, mandate, now=NOW).gestures]
    assert costs == sorted(costs)


@FAST
@given(cases(), mandates(), money(300_000))
def test_a_demand_never_raises_what_is_allowed(case: Case, mandate: Mandate, demand: Money) -> None:
    quiet = decide(_with(case, demand=None), mandate, now=NOW)
    asked = decide(_with(case, demand=demand), mandate, now=NOW)
    assert asked.gestures == quiet.gestures
    assert asked.dropped == quiet.dropped
    if asked.demand_pick is not None:
        assert asked.demand_pick in asked.for_level(Level.BOT)
    assert asked.needs_escalation >= quiet.needs_escalation


@FAST
@given(cases())
def test_the_default_policy_always_offers_an_apology_first(case: Case) -> None:
    d = decide(case, DEFAULT, now=NOW)
    assert d.gestures[0].kind is GestureKind.APOLOGY
    assert d.gestures[0].bot_may_grant
    assert d.rule_id is not None or d.needs_escalation


@FAST
@given(cases(), mandates())
def test_deciding_twice_gives_the_same_decision(case: Case, mandate: Mandate) -> None:
    first: Decision = decide(case, mandate, now=NOW)
    again = decide(case, load_mandate_data(mandate.policy.model_dump()), now=NOW)
    assert first == again._replace(policy_version=first.policy_version)
    assert again.policy_version == first.policy_version
    assert [r.text for r in first.reasons] == [
        r.text for r in decide(case, mandate, now=NOW).reasons
    ]


def _with(case: Case, **changes: Any) -> Case:
    return replace(case, **changes)

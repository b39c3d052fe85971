"""decide(): caps, budgets, levels, demands and hand-overs, on small purpose-built policies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herstel.money import Money
from policies import BudgetUsage, Case, GestureKind, History, Level, Mandate, decide
from policies.compiled import percent_of

V, A = GestureKind.VOUCHER, GestureKind.APOLOGY
MakePolicy = Callable[..., Mandate]


def eur(amount: str) -> Money:
    return Money.of(amount)


def late(value: str = "100.00", **kw: object) -> Case:
    return Case("late_delivery", eur(value), hours_late=5, **kw)  # type: ignore[arg-type]


def ladder(*steps: dict[str, object]) -> list[dict[str, object]]:
    return [
        {
            "id": "late",
            "match": {"complaint": "late_delivery"},
            "ladder": [{"kind": "apology"}, *steps],
        }
    ]


def texts(offer) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in offer.reasons]


def test_a_voucher_above_the_bot_cap_is_moved_to_an_agent_with_the_reason(
    make_policy: MakePolicy, now: datetime
) -> None:
    policy = make_policy(rules=ladder({"kind": "voucher", "amount": 25, "level": "bot"}))
    d = decide(late(), policy, now=now)
    voucher = d.gestures[-1]
    assert (voucher.kind, voucher.level, voucher.bot_may_grant) == (V, Level.AGENT, False)
    assert "voucher €25 exceeds bot cap €15 -> needs agent" in texts(voucher)


def test_a_gesture_above_every_levels_cap_is_dropped_with_the_reason(
    make_policy: MakePolicy, now: datetime
) -> None:
    levels = {
        "bot": {"per_gesture": {"voucher": 15}},
        "agent": {"per_gesture": {"voucher": 50}},
        "lead": {"per_gesture": {"voucher": 75}},
    }
    rules = ladder({"kind": "voucher", "amount": 100, "level": "bot"})
    d = decide(late(), make_policy(levels=levels, rules=rules), now=now)
    assert [o.kind for o in d.gestures] == [A]
    (gone,) = d.dropped
    assert gone.kind is V
    assert texts(gone)[-1] == "voucher €100 exceeds lead cap €75 at every level: not offered"


def test_the_per_order_cap_counts_what_was_already_given_on_the_order(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "voucher", "amount": 10, "level": "bot"})
    d = decide(late(given_on_order=eur("170")), make_policy(rules=rules), now=now)
    assert d.gestures[-1].level is Level.AGENT
    assert "brings this order's total to €180, above the bot cap €175" in texts(d.gestures[-1])[-1]


def test_the_per_customer_cap_counts_what_the_customer_got_lately(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "voucher", "amount": 10, "level": "bot"})
    case = late(history=History(given=eur("1995")))
    d = decide(case, make_policy(rules=rules), now=now)
    assert d.gestures[-1].level is Level.LEAD
    assert "over 30 days to €2,005" in texts(d.gestures[-1])[-1]


def test_unasked_gestures_the_bot_hands_out_together_share_its_per_order_cap(
    make_policy: MakePolicy, now: datetime
) -> None:
    levels = {
        "bot": {"per_gesture": {"voucher": 15, "replacement": 200}, "per_order": 175},
        "agent": {},
    }
    voucher = {"kind": "voucher", "amount": 10, "level": "bot", "unasked": True}
    replacement = {"kind": "replacement", "level": "bot", "unasked": True}
    policy = make_policy(levels=levels, rules=ladder(voucher, replacement))
    d = decide(late("170.00"), policy, now=now)
    # €10 voucher plus €170 replacement: together €180, over the bot's €175 per order.
    assert {o.kind: o.level for o in d.gestures} == {
        A: Level.BOT,
        V: Level.BOT,
        GestureKind.REPLACEMENT: Level.AGENT,
    }
    assert "brings this order's total to €180" in texts(d.gestures[-1])[-1]
    assert d.needs_escalation


def test_a_gesture_given_alongside_an_agents_replacement_counts_that_replacement_too(
    make_policy: MakePolicy, now: datetime
) -> None:
    replacement = {"kind": "replacement", "level": "agent", "unasked": True}
    voucher = {"kind": "voucher", "amount": 10, "level": "bot", "unasked": True}
    d = decide(late("170.00"), make_policy(rules=ladder(replacement, voucher)), now=now)
    # The order gets both, so €180 on one order is more than the bot may allow alone.
    assert {o.kind: o.level for o in d.gestures}[V] is Level.AGENT
    cheap = decide(late("100.00"), make_policy(rules=ladder(replacement, voucher)), now=now)
    assert {o.kind: o.level for o in cheap.gestures}[V] is Level.BOT


def test_a_spent_budget_drops_money_gestures_but_keeps_the_apology(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "voucher", "amount": 10, "level": "bot"})
    policy = make_policy(rules=rules, budgets={"day": {"voucher": 100}})
    spent = BudgetUsage(day_by_kind=MappingProxyType({"voucher": eur("95")}))
    d = decide(late(budget=spent), policy, now=now)
    assert [o.kind for o in d.gestures] == [A]
    assert texts(d.dropped[0])[-1] == (
        "voucher €10 exceeds the day's remaining voucher budget €5 at every level: not offered"
    )
    assert d.needs_escalation


def test_a_spent_budget_moves_gestures_to_the_level_the_policy_allows_to_exceed_it(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "voucher", "amount": 10, "level": "bot"})
    policy = make_policy(rules=rules, budgets={"month": {"overall": 1000}, "over_budget": "lead"})
    d = decide(late(budget=BudgetUsage(month_spent=eur("1000"))), policy, now=now)
    assert d.gestures[-1].level is Level.LEAD
    assert "remaining overall budget €0 -> needs lead" in texts(d.gestures[-1])[-1]


def test_a_percent_gesture_is_capped_at_its_max_and_says_so(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "voucher", "percent": 5, "max": 12, "level": "bot"})
    d = decide(late("899.00"), make_policy(rules=rules), now=now)
    assert d.gestures[-1].cost == eur("12")
    assert "5% of order value €899 capped at €12" in texts(d.gestures[-1])
    small = decide(late("99.90"), make_policy(rules=rules), now=now)
    assert small.gestures[-1].cost == eur("5.00")  # 4.995 rounds half-even to 5.00


def test_a_step_over_its_own_max_needs_the_next_level(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "replacement", "level": "bot", "max": 50})
    d = decide(late("60.00"), make_policy(rules=rules), now=now)
    assert d.gestures[-1].level is Level.AGENT
    assert "replacement €60 exceeds this rule's bot limit €50 -> needs agent" in texts(
        d.gestures[-1]
    )


def test_a_replacement_costs_the_item_not_the_whole_order(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "replacement", "level": "bot"})
    d = decide(late("400.00", item_value=eur("35.00")), make_policy(rules=rules), now=now)
    assert (d.gestures[-1].cost, d.gestures[-1].level) == (eur("35.00"), Level.BOT)


def test_free_shipping_has_nothing_to_refund(make_policy: MakePolicy, now: datetime) -> None:
    rules = ladder({"kind": "shipping_refund", "level": "bot"})
    d = decide(late(shipping_paid=eur("0")), make_policy(rules=rules), now=now)
    assert [o.kind for o in d.gestures] == [A]
    assert d.dropped[0].reasons[-1].code == "free_shipping"


def test_a_percentage_of_a_free_order_is_not_offered(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder({"kind": "partial_refund", "percent": 10, "max": 20, "level": "bot"})
    d = decide(late("0.00"), make_policy(rules=rules), now=now)
    assert [o.kind for o in d.gestures] == [A]
    assert (
        d.dropped[0].reasons[-1].text
        == "partial refund comes to nothing on this order: not offered"
    )


def test_a_ladder_written_out_of_order_is_listed_cheapest_first_with_a_reason(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder(
        {"kind": "voucher", "amount": 10, "level": "bot"},
        {"kind": "shipping_refund", "level": "bot"},
    )
    d = decide(late(), make_policy(rules=rules), now=now)
    assert [o.kind for o in d.gestures] == [A, GestureKind.SHIPPING_REFUND, V]
    assert d.gestures[-1].reasons[-1].code == "reordered"


def test_no_matching_rule_gives_only_an_apology_and_a_hand_over(
    make_policy: MakePolicy, now: datetime
) -> None:
    d = decide(Case("wrong_item", eur("10")), make_policy(), now=now)  # type: ignore[arg-type]
    assert d.rule_id is None
    assert [o.kind for o in d.gestures] == [A]
    assert d.needs_escalation
    assert d.reasons[0].text == "no rule matches this wrong item case: apologise, hand over"


def test_a_case_in_another_currency_is_handed_over(make_policy: MakePolicy, now: datetime) -> None:
    d = decide(late(demand=Money(1000, "USD")), make_policy(), now=now)
    assert d.needs_escalation and d.reasons[0].code == "currency"


def test_a_demand_picks_the_closest_gesture_the_bot_may_grant(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder(
        {"kind": "shipping_refund", "level": "bot"},
        {"kind": "voucher", "amount": 10, "level": "bot"},
        {"kind": "voucher", "amount": 40, "level": "agent"},
    )
    policy = make_policy(rules=rules)
    d = decide(late(demand=eur("9")), policy, now=now)
    assert d.demand_pick is not None and d.demand_pick.cost == eur("10")
    assert not d.needs_escalation
    assert d.gestures == decide(late(), policy, now=now).gestures


def test_a_demand_beyond_the_bots_mandate_escalates_and_grants_nothing_more(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder(
        {"kind": "voucher", "amount": 10, "level": "bot"},
        {"kind": "voucher", "amount": 40, "level": "agent"},
    )
    policy = make_policy(rules=rules)
    d = decide(late(demand=eur("100")), policy, now=now)
    assert d.needs_escalation
    assert d.demand_pick is not None and d.demand_pick.cost == eur("10")
    pick = d.pick_for_demand("agent")
    assert pick is not None and pick.cost == eur("40")
    assert d.reasons[-1].text == (
        "customer asks €100; the closest the bot may grant is voucher €10 -> needs escalation"
    )
    assert d.gestures == decide(late(), policy, now=now).gestures


def test_for_level_gives_what_each_level_may_grant_alone(
    make_policy: MakePolicy, now: datetime
) -> None:
    rules = ladder(
        {"kind": "voucher", "amount": 10, "level": "bot"},
        {"kind": "voucher", "amount": 40, "level": "agent"},
        {"kind": "full_refund", "level": "lead"},
    )
    d = decide(late(), make_policy(rules=rules), now=now)
    assert [len(d.for_level(level)) for level in ("bot", "agent", "lead")] == [2, 3, 4]
    assert d.for_level(Level.AGENT) == d.gestures[:3]


def test_an_inactive_rule_is_skipped_by_date(make_policy: MakePolicy, now: datetime) -> None:
    rules = [
        {
            "id": "sale",
            "match": {"active_until": "2025-01-31"},
            "ladder": [{"kind": "voucher", "amount": 5, "level": "bot"}],
        },
        *ladder(),
    ]
    assert decide(late(), make_policy(rules=rules), now=now).rule_id == "late"


def test_the_engine_refuses_a_naive_now_and_too_short_a_history(
    make_policy: MakePolicy, now: datetime
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(late(), make_policy(), now=now.replace(tzinfo=None))
    with pytest.raises(ValueError, match="history covers 7 days"):
        decide(late(history=History(window_days=7)), make_policy(), now=now)


def test_decisions_render_to_json_ready_data(make_policy: MakePolicy, now: datetime) -> None:
    data = decide(late(), make_policy(), now=now).to_dict()
    assert data["policy"]["name"] == "test"
    assert data["gestures"][1]["cost"] == {"minor": 1000, "currency": "EUR", "text": "€10"}
    assert data["gestures"][1]["bot_may_grant"] is True


@given(st.integers(0, 10**9), st.decimals(Decimal("0.01"), 100, places=2))
def test_integer_percent_matches_money_percent_exactly(minor: int, pct: Decimal) -> None:
    num, den = pct.as_integer_ratio()
    assert percent_of(minor, num, den) == Money(minor).percent(pct).minor

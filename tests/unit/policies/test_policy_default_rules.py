"""The shipped default mandate gives the gestures its founding stories describe."""

from __future__ import annotations

from datetime import datetime

import pytest

from herstel.money import Money
from policies import Case, GestureKind, History, Level, Mandate, bot_plan, decide

V, R, T, A = GestureKind.VOUCHER, GestureKind.REPLACEMENT, GestureKind.TREAT, GestureKind.APOLOGY
S, P, F = GestureKind.SHIPPING_REFUND, GestureKind.PARTIAL_REFUND, GestureKind.FULL_REFUND


def eur(amount: str) -> Money:
    return Money.of(amount)


def late(hours: float, value: str = "899.00", **kw: object) -> Case:
    kw.setdefault("evidence", "out_for_delivery")
    return Case("late_delivery", eur(value), hours_late=hours, **kw)  # type: ignore[arg-type]


def damaged(extent: str | None, value: str = "24.95", **kw: object) -> Case:
    return Case("damaged_product", eur(value), damage=extent, evidence="delivered", **kw)  # type: ignore[arg-type]


def missing(evidence: str, value: str = "899.00") -> Case:
    return Case("missing_item", eur(value), evidence=evidence)  # type: ignore[arg-type]


def summary(decision) -> list[tuple[str, str, str, bool]]:  # type: ignore[no-untyped-def]
    return [(o.kind.value, o.cost.format(), o.level.value, o.unasked) for o in decision.gestures]


def test_the_late_laptop_gets_an_apology_with_facts_and_an_unasked_10_euro_voucher_from_the_bot(
    default: Mandate, now: datetime
) -> None:
    d = decide(late(3), default, now=now)
    assert d.rule_id == "late-slot-missed"
    assert not d.needs_escalation
    assert summary(d) == [
        ("apology", "€0", "bot", True),
        ("shipping_refund", "€4.95", "bot", False),
        ("voucher", "€10", "bot", True),
    ]
    assert set(d.gestures[0].gesture.facts) == {"carrier_status", "delivery_window"}
    offer = d.bot_offer()
    assert offer is not None and offer.kind is V and offer.cost == eur("10")
    assert [o.kind for o in d.unasked_for("bot")] == [A, V]


def test_two_days_late_adds_an_unasked_shipping_refund_to_the_voucher(
    default: Mandate, now: datetime
) -> None:
    d = decide(late(50, evidence="delayed"), default, now=now)
    assert d.rule_id == "late-two-days"
    bot_bundle = [(o.kind, o.cost) for o in d.unasked_for("bot")]
    assert bot_bundle == [(A, eur("0")), (S, eur("4.95")), (V, eur("10"))]
    partial = d.gestures[-1]
    assert (partial.kind, partial.cost, partial.level) == (P, eur("50"), Level.AGENT)


def test_a_vip_two_days_late_gets_a_15_euro_voucher(default: Mandate, now: datetime) -> None:
    d = decide(late(72, segment="vip"), default, now=now)
    assert d.rule_id == "late-two-days-vip"
    assert (V, eur("15")) in [(o.kind, o.cost) for o in d.unasked_for("bot")]


def test_a_vip_who_misses_the_slot_gets_15_instead_of_10(default: Mandate, now: datetime) -> None:
    d = decide(late(2, segment="vip"), default, now=now)
    assert [o.cost for o in d.gestures if o.kind is V] == [eur("15")]


def test_someone_who_complained_often_is_handed_to_an_agent(
    default: Mandate, now: datetime
) -> None:
    d = decide(late(5, history=History(complaints=4)), default, now=now)
    assert d.rule_id == "late-frequent-complainer"
    assert d.needs_escalation
    assert [o.kind for o in d.for_level("bot")] == [A]


def test_the_leaking_shower_oil_gets_a_replacement_to_keep_and_a_treat_from_the_bot(
    default: Mandate, now: datetime
) -> None:
    d = decide(damaged("partial"), default, now=now)
    assert d.rule_id == "leaking-or-broken"
    assert not d.needs_escalation
    bundle = d.unasked_for("bot")
    assert [(o.kind, o.cost) for o in bundle] == [
        (A, eur("0")),
        (T, eur("3.50")),
        (R, eur("24.95")),
    ]
    replacement = bundle[2]
    assert replacement.gesture.keep_damaged is True
    assert replacement.bot_may_grant


@pytest.mark.parametrize(
    ("value", "replacement_level", "escalates"),
    [("150.00", Level.BOT, False), ("150.01", Level.AGENT, True), ("499.00", Level.AGENT, True)],
)
def test_the_bot_replaces_damaged_goods_alone_only_up_to_150_euros(
    default: Mandate, now: datetime, value: str, replacement_level: Level, escalates: bool
) -> None:
    d = decide(damaged("unusable", value), default, now=now)
    (replacement,) = [o for o in d.gestures if o.kind is R]
    assert replacement.level is replacement_level
    assert d.needs_escalation is escalates
    assert any(o.kind is T and o.bot_may_grant for o in d.gestures)


def test_a_treat_is_not_offered_twice_in_one_month(default: Mandate, now: datetime) -> None:
    d = decide(damaged("partial", history=History(treats_this_month=1)), default, now=now)
    assert T not in [o.kind for o in d.gestures]
    assert [r.code for r in d.dropped[0].reasons][-1] == "treat_limit"


def test_missing_while_the_carrier_says_delivered_goes_to_an_agent(
    default: Mandate, now: datetime
) -> None:
    for evidence in ("delivered", "delivered_but_missing"):
        d = decide(missing(evidence, "40.00"), default, now=now)
        assert d.needs_escalation
        assert [o.kind for o in d.for_level("bot")] == [A]
        assert {o.kind for o in d.for_level("agent")} == {A, R, F}


@pytest.mark.parametrize(
    ("value", "level"),
    [("89.00", Level.BOT), ("150.00", Level.BOT), ("899.00", Level.AGENT)],
)
def test_a_lost_parcel_goes_to_a_person_who_may_replace_it(
    default: Mandate, now: datetime, value: str, level: Level
) -> None:
    # escalate_when parcel-lost: a person sends the new one (and files the carrier claim);
    # the replacement is within an agent's mandate, and would be the bot's up to 150.
    d = decide(missing("lost", value), default, now=now)
    (replacement,) = [o for o in d.gestures if o.kind is R]
    assert (replacement.level, replacement.unasked) == (level, True)
    assert d.needs_escalation
    assert "escalate_when" in {r.code for r in d.reasons}
    assert bot_plan(d) == (True, ())


def test_expensive_damaged_orders_need_an_agent_and_full_refunds_over_1000_a_lead(
    default: Mandate, now: datetime
) -> None:
    d = decide(damaged("unusable", "1200.00"), default, now=now)
    assert d.rule_id == "expensive-order"
    assert d.needs_escalation
    levels = {o.kind: o.level for o in d.gestures}
    assert levels[P] is Level.AGENT
    assert levels[F] is Level.LEAD
    texts = [r.text for o in d.gestures if o.kind is F for r in o.reasons]
    assert "full refund €1,200 exceeds agent cap €1,000 -> needs lead" in texts


def test_a_600_euro_damaged_order_can_be_fully_refunded_by_an_agent(
    default: Mandate, now: datetime
) -> None:
    d = decide(damaged("partial", "600.00"), default, now=now)
    assert {o.kind: o.level for o in d.gestures}[F] is Level.AGENT


def test_a_cosmetic_scratch_gets_a_small_unasked_refund(default: Mandate, now: datetime) -> None:
    d = decide(damaged("cosmetic", "120.00"), default, now=now)
    assert [(o.kind, o.cost, o.level) for o in d.unasked_for("bot")][1:] == [
        (P, eur("12"), Level.BOT)
    ]


def test_a_wrong_item_is_replaced_by_the_bot(default: Mandate, now: datetime) -> None:
    d = decide(Case("wrong_item", eur("60.00"), evidence="delivered"), default, now=now)  # type: ignore[arg-type]
    assert (R, Level.BOT) in [(o.kind, o.level) for o in d.unasked_for("bot")]


def test_other_complaints_get_an_apology_and_a_person(default: Mandate, now: datetime) -> None:
    d = decide(Case("other", eur("20.00")), default, now=now)  # type: ignore[arg-type]
    assert d.needs_escalation
    assert [o.kind for o in d.gestures] == [A]


def test_every_decision_names_the_default_policy_and_its_version(
    default: Mandate, now: datetime
) -> None:
    d = decide(late(3), default, now=now)
    assert (d.policy_name, d.policy_version) == ("default", default.version)
    assert len(default.version) == 12


# --- the mandate is the only judge of hand-overs (escalate_when, escalate, facts) ---------


def test_a_parcel_on_time_is_answered_with_the_facts_alone(default: Mandate, now: datetime) -> None:
    for history in (History(), History(complaints=5)):
        d = decide(late(0, history=history), default, now=now)
        assert d.rule_id == "late-but-on-time"
        assert not d.needs_escalation
        assert bot_plan(d).facts_only


def test_without_carrier_facts_a_late_parcel_gets_an_apology_and_no_person(
    default: Mandate, now: datetime
) -> None:
    d = decide(Case("late_delivery", eur("89.00")), default, now=now)  # type: ignore[arg-type]
    assert d.rule_id == "late-no-carrier-facts"
    assert bot_plan(d).facts_only


def test_orders_worth_1000_or_more_go_to_a_person_with_the_rules_gestures_suggested(
    default: Mandate, now: datetime
) -> None:
    d = decide(late(3, value="1199.00"), default, now=now)
    assert d.rule_id == "late-slot-missed"
    assert d.needs_escalation and bot_plan(d).to_person
    assert "'high-value-order'" in " ".join(r.text for r in d.reasons)
    assert [o.kind for o in d.for_level("agent")] == [A, S, V]
    on_time = decide(late(0, value="1199.00"), default, now=now)
    assert bot_plan(on_time).facts_only  # nothing to give: nothing for a person to decide
    assert not decide(late(3, value="999.99"), default, now=now).needs_escalation


def test_a_mid_range_damaged_order_reaches_the_agents_replacement_not_only_the_treat(
    default: Mandate, now: datetime
) -> None:
    d = decide(damaged("partial", "249.00"), default, now=now)
    assert d.rule_id == "leaking-or-broken-mid"
    assert bot_plan(d) == (True, ())  # the bot does not stop at the treat
    replacement = next(o for o in d.gestures if o.kind is R)
    assert (replacement.level, replacement.cost) == (Level.AGENT, eur("249.00"))

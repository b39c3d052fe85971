"""Static checks: never-matching rules, disagreeing overlaps, caps against budgets, ladders."""

from __future__ import annotations

from collections.abc import Callable

from policies import Mandate
from policies.checks import Finding, check_mandate

MakePolicy = Callable[..., Mandate]
APOLOGY = {"kind": "apology"}


def rule(rule_id: str, match: dict[str, object], *steps: dict[str, object]) -> dict[str, object]:
    return {"id": rule_id, "match": match, "ladder": [APOLOGY, *steps]}


def voucher(amount: float, level: str = "bot") -> dict[str, object]:
    return {"kind": "voucher", "amount": amount, "level": level}


def findings(mandate: Mandate, severity: str) -> list[Finding]:
    return [f for f in check_mandate(mandate) if f.severity == severity]


def test_the_shipped_default_policy_has_no_findings(default: Mandate) -> None:
    assert check_mandate(default) == []


def test_an_empty_list_makes_a_rule_that_never_matches(make_policy: MakePolicy) -> None:
    m = make_policy(rules=[rule("nobody", {"complaint": "late_delivery", "segment": []})])
    (error,) = findings(m, "error")
    assert error.path == "rules[0].match.segment"
    assert "empty list: this rule can never match" in error.message


def test_contradictory_ranges_make_a_rule_that_never_matches(make_policy: MakePolicy) -> None:
    match = {
        "hours_late": {"at_least": 48, "less_than": 24},
        "order_value": {"more_than": 100, "at_most": 100},
    }
    errors = findings(make_policy(rules=[rule("odd", match)]), "error")
    assert [e.path for e in errors] == ["rules[0].match.hours_late", "rules[0].match.order_value"]
    assert all("contradictory range" in e.message for e in errors)


def test_a_range_that_touches_one_value_still_matches(make_policy: MakePolicy) -> None:
    match = {"hours_late": {"at_least": 24, "at_most": 24}}
    assert findings(make_policy(rules=[rule("exactly-a-day", match)]), "error") == []


def test_a_rule_below_an_identical_match_is_reported_as_never_used(
    make_policy: MakePolicy,
) -> None:
    rules = [
        rule("first", {"complaint": "late_delivery"}, voucher(5)),
        rule("second", {"complaint": "late_delivery"}, voucher(10)),
    ]
    (warning,) = findings(make_policy(rules=rules), "warning")
    assert warning.path == "rules[1].id"
    assert "rule 'second' is never used: rule 'first' above it matches every case" in (
        warning.message
    )


def test_partly_overlapping_rules_that_disagree_are_a_warning_with_an_example(
    make_policy: MakePolicy,
) -> None:
    rules = [
        rule("vip", {"segment": "vip"}, voucher(15)),
        rule("late", {"complaint": "late_delivery"}, voucher(10)),
    ]
    (warning,) = findings(make_policy(rules=rules), "warning")
    assert "rules 'vip' and 'late' both match cases like (late_delivery; segment vip)" in (
        warning.message
    )


def test_an_exception_listed_above_its_general_rule_is_fine(make_policy: MakePolicy) -> None:
    rules = [
        rule("late-vip", {"complaint": "late_delivery", "segment": "vip"}, voucher(15)),
        rule("late", {"complaint": "late_delivery"}, voucher(10)),
    ]
    assert check_mandate(make_policy(rules=rules)) == []


def test_rules_split_at_an_edge_do_not_overlap(make_policy: MakePolicy) -> None:
    rules = [
        rule("short", {"hours_late": {"less_than": 48}}, voucher(5)),
        rule("long", {"hours_late": {"at_least": 48}}, voucher(10)),
    ]
    assert check_mandate(make_policy(rules=rules)) == []


def test_a_lower_cap_for_a_higher_level_is_an_error(make_policy: MakePolicy) -> None:
    levels = {"bot": {"per_gesture": {"voucher": 50}}, "agent": {"per_gesture": {"voucher": 20}}}
    (error,) = findings(make_policy(levels=levels), "error")
    assert error.path == "levels.agent.per_gesture.voucher"
    assert "voucher cap for agent (€20) is below bot's (€50)" in error.message


def test_a_cap_above_the_budget_is_a_warning(make_policy: MakePolicy) -> None:
    m = make_policy(budgets={"day": {"voucher": 40}})
    (warning,) = findings(m, "warning")
    assert warning.path == "budgets.day.voucher"
    assert "agent's cap €50 is above the day voucher budget €40" in warning.message
    assert warning.line is None  # built from data, not a file


def test_a_ladder_that_is_not_cheapest_first_is_a_warning(make_policy: MakePolicy) -> None:
    rules = [rule("late", {"complaint": "late_delivery"}, voucher(12), voucher(10))]
    (warning,) = findings(make_policy(rules=rules), "warning")
    assert warning.path == "rules[0].ladder[1]"
    assert "voucher (at least €12) comes before voucher (at most €10, step 3)" in warning.message


def test_a_fixed_gesture_above_its_levels_cap_is_a_warning(make_policy: MakePolicy) -> None:
    rules = [rule("late", {"complaint": "late_delivery"}, voucher(25))]
    (warning,) = findings(make_policy(rules=rules), "warning")
    assert "voucher €25 at bot exceeds the bot cap €15: it will always need a higher level" in (
        warning.message
    )


def test_a_bot_refund_without_any_limit_is_a_warning(make_policy: MakePolicy) -> None:
    rules = [
        rule(
            "late",
            {"complaint": "late_delivery"},
            {"kind": "partial_refund", "percent": 10, "max": 5, "level": "bot"},
            {"kind": "shipping_refund", "level": "bot"},
        )
    ]
    (warning,) = findings(make_policy(rules=rules), "warning")
    assert "the bot may grant shipping_refund here with no limit" in warning.message

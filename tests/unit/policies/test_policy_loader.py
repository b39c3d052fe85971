"""Loading policy files: broken files are reported with file, line, field and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from herstel.money import Money
from policies import DEFAULT_POLICY_PATH, PolicyError, load_mandate, load_mandate_text

GOOD = """\
name: tiny
shipping_fee: 4.95
levels:
  bot:
    per_gesture:
      voucher: 15.00
  agent: {}
rules:
  - id: late
    match:
      complaint: late_delivery
    ladder:
      - kind: apology
      - kind: voucher
        amount: 10.00
        level: bot
"""


def write(tmp_path: Path, text: str, name: str = "policy.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem_of(path: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        load_mandate(path)
    return str(caught.value)


def test_a_good_file_loads_with_exact_amounts_and_a_content_version(tmp_path: Path) -> None:
    mandate = load_mandate(write(tmp_path, GOOD))
    assert mandate.name == "tiny"
    assert mandate.policy.rules[0].ladder[1].amount == Money.of("10.00")
    assert mandate.policy.shipping_fee == Money(495, "EUR")
    assert len(mandate.version) == 12 and int(mandate.version, 16) >= 0
    assert mandate.line_of("rules", 0, "ladder", 1, "amount") == 15


def test_the_version_ignores_comments_and_layout_but_follows_content(tmp_path: Path) -> None:
    first = load_mandate(write(tmp_path, GOOD, "a.yml")).version
    commented = "# a comment for the CX team\n" + GOOD.replace("15.00", "15.0")
    assert load_mandate(write(tmp_path, commented, "b.yml")).version == first
    changed = GOOD.replace("amount: 10.00", "amount: 11.00")
    assert load_mandate(write(tmp_path, changed, "c.yml")).version != first


def test_a_typo_in_a_field_names_the_file_the_line_the_field_and_a_suggestion(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, GOOD.replace("amount: 10.00", "amuont: 10.00"))
    message = problem_of(path)
    assert f"{path}:15: rules[0].ladder[1].amuont: unknown field 'amuont'" in message
    assert "did you mean 'amount'?" in message
    assert "expected one of: amount, kind, level, max, note, percent, unasked" in message


def test_a_typo_in_a_top_level_key_is_located_too(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, GOOD.replace("shipping_fee", "shiping_fee")))
    assert ":2: shiping_fee: unknown field 'shiping_fee'; did you mean 'shipping_fee'?" in message
    assert "shipping_fee: required field is missing" in message


def test_a_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    text = GOOD.replace(
        "      complaint: late_delivery",
        "      complaint: late_delivery\n      max_previous_complaints: lots",
    )
    message = problem_of(write(tmp_path, text))
    assert ":12: rules[0].match.max_previous_complaints: expected a whole number, got 'lots'" in (
        message
    )


def test_an_unknown_level_lists_the_levels(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, GOOD.replace("level: bot", "level: robot")))
    assert ":16: rules[0].ladder[1].level: expected one of 'bot', 'agent' or 'lead'" in message


def test_an_unknown_gesture_kind_lists_the_kinds(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, GOOD.replace("kind: voucher", "kind: vouchr")))
    assert ":14: rules[0].ladder[1]: unknown gesture kind 'vouchr'" in message


@pytest.mark.parametrize("amount", ["12,50", "10.005", "-5", "ten", "true"])
def test_bad_money_is_refused_with_an_example_of_good_money(tmp_path: Path, amount: str) -> None:
    message = problem_of(write(tmp_path, GOOD.replace("amount: 10.00", f"amount: {amount}")))
    assert ":15: rules[0].ladder[1].amount: expected an amount" in message


def test_a_voucher_needs_an_amount_or_a_percent_with_a_max(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, GOOD.replace("amount: 10.00", "percent: 10")))
    assert ":14: rules[0].ladder[1]: a percent voucher needs a max" in message


def test_duplicate_keys_are_errors_not_silently_overwritten(tmp_path: Path) -> None:
    text = GOOD.replace("        amount: 10.00\n", "        amount: 10.00\n        amount: 50.00\n")
    message = problem_of(write(tmp_path, text))
    assert ":16: rules[0].ladder[1].amount: duplicate key 'amount' (first on line 15)" in message


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    extra = "  - id: late\n    ladder:\n      - kind: apology\n"
    assert "rule id 'late' is used twice" in problem_of(write(tmp_path, GOOD + extra))


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, GOOD.replace("  agent: {}", "  agent: {")))
    assert f"{tmp_path / 'policy.yml'}:" in message and "not valid YAML" in message


def test_a_missing_file_and_an_empty_file_are_policy_errors(tmp_path: Path) -> None:
    assert "cannot read the file" in problem_of(tmp_path / "nope.yml")
    assert "the file is empty" in problem_of(write(tmp_path, "# nothing yet\n"))


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("amount: 10.00", "amount: 1,0").replace("level: bot", "level: boss")
    with pytest.raises(PolicyError) as caught:
        load_mandate(write(tmp_path, text))
    assert len(caught.value.problems) == 2
    assert {p.line for p in caught.value.problems} == {15, 16}


def test_a_policy_in_another_currency_reads_its_amounts_in_that_currency() -> None:
    mandate = load_mandate_text(GOOD.replace("name: tiny", "name: tiny\ncurrency: GBP"))
    assert mandate.policy.shipping_fee == Money(495, "GBP")


def test_the_default_policy_file_loads(tmp_path: Path) -> None:
    assert load_mandate(DEFAULT_POLICY_PATH).name == "default"

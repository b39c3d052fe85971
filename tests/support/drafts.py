"""Draft mandates for the dashboard's tests: the default policy file with one change."""

from __future__ import annotations

from policies import DEFAULT_POLICY_PATH

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


def generous_draft() -> str:
    """The default mandate with the late laptop's unasked voucher at €12.50 instead of €10."""
    head, rule = DEFAULT_TEXT.split("- id: late-slot-missed\n")
    assert "amount: 10.00" in rule.split("- id:")[0]
    rule = rule.replace("amount: 10.00", "amount: 12.50", 1)
    return (head + "- id: late-slot-missed\n" + rule).replace("name: default", "name: generous")


# An agent allowed less than the bot: `herstel policies check` calls this an error.
CAP_BELOW_BOT = DEFAULT_TEXT.replace("      voucher: 50.00\n", "      voucher: 5.00\n", 1)
NOT_AN_AMOUNT = DEFAULT_TEXT.replace("amount: 10.00", "amount: lots", 1)

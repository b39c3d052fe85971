"""Reasons attached to decisions: a stable code for machines, English text for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from herstel.money import Money


def _show(value: Any) -> str:
    if isinstance(value, Money):
        return value.format()
    if value is None:
        return "nobody"
    return str(value).replace("_", " ")


def _then(level: Any) -> str:
    # The level that may still grant it, or nobody when even the lead may not.
    return f"-> needs {_show(level)}" if level is not None else "at every level: not offered"


_TEXT: dict[str, Callable[..., str]] = {
    "rule_matched": lambda rule: f"rule '{rule}' matched",
    "from_rule": lambda rule, step: f"step {step} of rule '{rule}'",
    "unasked": lambda: "offer without being asked",
    "no_rule": lambda what: f"no rule matches this {_show(what)} case: apologise, hand over",
    "currency": lambda got, want: f"case amounts in {got} but the policy is in {want}: hand over",
    "clipped": lambda pct, value, cap: (
        f"{pct}% of order value {_show(value)} capped at {_show(cap)}"
    ),
    "own_limit": lambda kind, cost, level, limit, nxt: (
        f"{_show(kind)} {_show(cost)} exceeds this rule's {level} limit {_show(limit)} {_then(nxt)}"
    ),
    "level_cap": lambda kind, cost, level, cap, nxt: (
        f"{_show(kind)} {_show(cost)} exceeds {level} cap {_show(cap)} {_then(nxt)}"
    ),
    "order_cap": lambda kind, cost, total, level, cap, nxt: (
        f"{_show(kind)} {_show(cost)} "
        f"brings this order's total to {_show(total)}, above the {level} cap {_show(cap)} "
        f"{_then(nxt)}"
    ),
    "customer_cap": lambda kind, cost, days, total, level, cap, nxt: (
        f"{_show(kind)} "
        f"{_show(cost)} brings this customer's total over {days} days to {_show(total)}, above the "
        f"{level} cap {_show(cap)} {_then(nxt)}"
    ),
    "budget": lambda kind, cost, period, scope, left, nxt: (
        f"{_show(kind)} {_show(cost)} "
        f"exceeds the {period}'s remaining {_show(scope)} budget {_show(left)} {_then(nxt)}"
    ),
    "treat_limit": lambda given, limit: (
        f"treat given {given}x this month (limit {limit}): not offered"
    ),
    "free_shipping": lambda: "shipping was free: no shipping refund",
    "zero_amount": lambda kind: f"{_show(kind)} comes to nothing on this order: not offered",
    "reordered": lambda: "moved behind cheaper gestures: the ladder runs cheapest first",
    "escalate_rule": lambda rule: f"rule '{rule}' hands this case to a person",
    "escalate_unasked": lambda kind, level: (
        f"{_show(kind)} should be offered unasked but needs {level}"
    ),
    "escalate_nothing": lambda: "the bot may grant nothing beyond an apology here",
    "escalate_when": lambda what: f"'{what}' (escalate_when): a person decides this case",
    "demand_met": lambda demand, kind, cost: (
        f"customer asks {_show(demand)}; closest the bot may grant: {_show(kind)} {_show(cost)}"
    ),
    "demand_short": lambda demand, kind, cost: (
        f"customer asks {_show(demand)}; the closest "
        f"the bot may grant is {_show(kind)} {_show(cost)} -> needs escalation"
    ),
    "demand_no_money": lambda demand: (
        f"customer asks {_show(demand)}; the bot may grant no money here -> needs escalation"
    ),
}


class Reason(NamedTuple):
    """Why something is offered, raised, dropped or escalated. Text is rendered on demand."""

    code: str
    args: tuple[Any, ...] = ()

    @property
    def text(self) -> str:
        return _TEXT[self.code](*self.args)

    def __str__(self) -> str:
        return self.text

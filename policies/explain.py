"""Render a decision for people (text) and for tools (JSON)."""

from __future__ import annotations

from typing import Any

from policies.case import Case
from policies.decision import Decision, Dropped, Offer
from policies.model import Apology, PartialRefund, Replacement, Treat, Voucher
from policies.plan import bot_plan


def describe_case(case: Case) -> str:
    parts = [str(case.complaint)]
    if case.hours_late is not None:
        parts.append(f"{case.hours_late:g} h late")
    if case.damage is not None:
        parts.append(f"damage {case.damage}")
    parts += [
        f"order {case.order_value.format()}",
        str(case.segment),
        str(case.channel),
        f"carrier: {case.evidence}",
    ]
    if case.history.complaints:
        parts.append(f"{case.history.complaints} previous complaint(s)")
    if case.demand is not None:
        parts.append(f"asks {case.demand.format()}")
    return ", ".join(parts)


def label(offer: Offer | Dropped) -> str:
    """A gesture in a few words: 'voucher (10% of the order, max €25)'."""
    g = getattr(offer, "gesture", None)
    name = str(offer.kind).replace("_", " ")
    if isinstance(g, Apology) and g.facts:
        return f"{name} stating {', '.join(f.replace('_', ' ') for f in g.facts)}"
    if isinstance(g, Voucher | PartialRefund) and g.percent is not None:
        return f"{name} ({g.percent}% of the order, max {g.max.format() if g.max else '-'})"
    if isinstance(g, Replacement):
        return f"{name} ({'customer keeps the damaged item' if g.keep_damaged else 'return it'})"
    if isinstance(g, Treat):
        return f"{name}: {g.item}"
    return name


def render_text(decision: Decision, case: Case | None = None) -> str:
    lines = [
        f"Policy {decision.policy_name} (version {decision.policy_version}), "
        f"rule: {decision.rule_id or 'none'}"
    ]
    if case is not None:
        lines.append(f"Case: {describe_case(case)}")
    lines.append(f"Needs a person: {'yes' if decision.needs_escalation else 'no'}")
    lines.append("")
    lines.append("Allowed, cheapest first:")
    for n, o in enumerate(decision.gestures, 1):
        ask = "unasked" if o.unasked else "if asked"
        lines.append(f"  {n}. {label(o):<58} {o.cost.format():>9}  {o.level:<5}  {ask}")
        lines += [f"       - {r.text}" for r in o.reasons]
    if decision.dropped:
        lines += ["", "Not offered:"]
        for d in decision.dropped:
            lines.append(f"  - {label(d)} {d.cost.format()}")
            lines += [f"       - {r.text}" for r in d.reasons]
    plan = bot_plan(decision)
    if plan.to_person:
        does = "hands the case to a person (who sees the gestures above as suggestions)"
    elif plan.offers:
        does = "offers " + " + ".join(f"{label(o)} {o.cost.format()}" for o in plan.offers)
    else:
        does = "tells the facts and apologises; nothing is owed"
    lines += ["", f"The bot {does}"]
    if decision.demand_pick is not None:
        pick = decision.demand_pick
        lines.append(f"Toward the demand: {label(pick)} {pick.cost.format()}")
    lines += ["", "Why:"] + [f"  - {r.text}" for r in decision.reasons]
    return "\n".join(lines)


def render_json(decision: Decision, case: Case | None = None) -> dict[str, Any]:
    data = decision.to_dict()
    for item, offer in zip(data["gestures"], decision.gestures, strict=True):
        item["label"] = label(offer)
    plan = bot_plan(decision)
    data["bot"] = {"to_person": plan.to_person, "offers": [o.step for o in plan.offers]}
    if case is not None:
        data["case"] = describe_case(case)
    return data

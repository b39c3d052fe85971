"""What the bot does with a decision, live: the one reading of a Decision that production,
`policies explain` and `policies simulate` share, so the three cannot disagree."""

from __future__ import annotations

from typing import NamedTuple

from policies.concepts import Level
from policies.decision import Decision, Offer


class BotPlan(NamedTuple):
    to_person: bool  # the mandate hands the case to a person; the bot offers nothing itself
    offers: tuple[Offer, ...]  # what the bot puts to the customer, cheapest first

    @property
    def facts_only(self) -> bool:
        """Nothing to give and nobody to decide: the facts and an apology are the answer."""
        return not self.to_person and not self.offers


def bot_plan(decision: Decision) -> BotPlan:
    """A person decides when the mandate says so; else the bot offers the gestures the policy
    gives unasked, or else the first it may grant; with neither, the facts are the answer."""
    if decision.needs_escalation:
        return BotPlan(True, ())
    unasked = tuple(o for o in decision.unasked_for(Level.BOT) if o.cost.minor > 0)
    if unasked:
        return BotPlan(False, unasked)
    first = decision.bot_offer()
    return BotPlan(False, (first,) if first is not None and first.cost.minor > 0 else ())

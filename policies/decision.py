"""The engine's answer: allowed gestures in ladder order, with cost, level and reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from herstel.money import Money
from policies.concepts import MONEY_KINDS, GestureKind, Level
from policies.model import Gesture
from policies.reasons import Reason


class Offer(NamedTuple):
    """A gesture the mandate allows for this case (a tuple: cheap to build in the hot path)."""

    kind: GestureKind
    cost: Money
    level: Level  # the lowest level that may grant it alone
    unasked: bool  # offer proactively
    reasons: tuple[Reason, ...]
    gesture: Gesture  # the policy step: keep_damaged, facts, treat item, percent...
    step: int  # position in the matched rule's ladder, from 0

    @property
    def bot_may_grant(self) -> bool:
        return self.level is Level.BOT

    def may_be_granted_by(self, level: Level) -> bool:
        return self.level.rank <= Level(level).rank


class Dropped(NamedTuple):
    """A ladder step that no level may grant here, and why."""

    kind: GestureKind
    cost: Money
    reasons: tuple[Reason, ...]
    step: int


def pick_for_demand(offers: tuple[Offer, ...], demand: Money, rank: int) -> Offer | None:
    """The money gesture closest to the demand that `rank` may grant; ties go to the cheaper."""
    best: Offer | None = None
    best_gap = 0
    for offer in offers:
        if offer.level.rank > rank or offer.kind not in MONEY_KINDS or offer.cost.minor <= 0:
            continue
        gap = abs(offer.cost.minor - demand.minor)
        if best is None or gap < best_gap:
            best, best_gap = offer, gap
    return best


class Decision(NamedTuple):
    """The engine's answer for one case under one mandate."""

    policy_name: str
    policy_version: str
    rule_id: str | None  # None: no rule matched
    gestures: tuple[Offer, ...]  # ladder order, costs never decreasing
    dropped: tuple[Dropped, ...]
    needs_escalation: bool
    reasons: tuple[Reason, ...]
    decided_at: datetime
    demand: Money | None = None
    demand_pick: Offer | None = None  # what the bot may grant toward the demand

    def for_level(self, level: Level | str) -> tuple[Offer, ...]:
        """What this level may grant alone."""
        rank = _rank(level)
        return tuple(o for o in self.gestures if o.level.rank <= rank)

    def unasked_for(self, level: Level | str) -> tuple[Offer, ...]:
        """The proactive bundle this level may hand out without waiting to be asked."""
        return tuple(o for o in self.for_level(level) if o.unasked)

    def bot_offer(self) -> Offer | None:
        """The first unasked gesture the bot may grant, else its first ladder gesture.

        The apology goes without saying: it is returned only when there is nothing else.
        """
        first = apology = None
        for offer in self.gestures:
            if offer.level is not Level.BOT:
                continue
            if offer.kind is GestureKind.APOLOGY:
                apology = apology or offer
            elif offer.unasked:
                return offer
            else:
                first = first or offer
        return first or apology

    def pick_for_demand(self, level: Level | str) -> Offer | None:
        """Toward the customer's demand, never beyond what the level may grant."""
        if self.demand is None:
            return None
        return pick_for_demand(self.gestures, self.demand, _rank(level))

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": {"name": self.policy_name, "version": self.policy_version},
            "rule": self.rule_id,
            "needs_escalation": self.needs_escalation,
            "reasons": [_reason(r) for r in self.reasons],
            "gestures": [_offer(o) for o in self.gestures],
            "dropped": [
                {
                    "kind": d.kind.value,
                    "cost": _money(d.cost),
                    "step": d.step,
                    "reasons": [_reason(r) for r in d.reasons],
                }
                for d in self.dropped
            ],
            "demand": _money(self.demand) if self.demand else None,
            "demand_pick": self.demand_pick.step if self.demand_pick else None,
            "decided_at": self.decided_at.isoformat(),
        }


def _rank(level: Level | str) -> int:
    return level.rank if isinstance(level, Level) else Level(level).rank


def _money(m: Money) -> dict[str, Any]:
    return {"minor": m.minor, "currency": m.currency, "text": m.format()}


def _reason(r: Reason) -> dict[str, str]:
    return {"code": r.code, "text": r.text}


def _offer(o: Offer) -> dict[str, Any]:
    details = o.gesture.model_dump(mode="json", exclude={"kind", "level", "unasked"})
    return {
        "kind": o.kind.value,
        "cost": _money(o.cost),
        "level": o.level.value,
        "bot_may_grant": o.bot_may_grant,
        "unasked": o.unasked,
        "step": o.step,
        "details": {k: v for k, v in details.items() if v not in (None, ())},
        "reasons": [_reason(r) for r in o.reasons],
    }

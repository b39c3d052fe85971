"""The recovery moment as a value, and its JSON form (the outbox keeps moments as JSON)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from herstel.money import Money

# facts: the facts were the answer (nothing owed); offered: an offer the customer has not taken
# (yet); declined: they turned down what the bot may give; gesture: something was given;
# closed: a person closed the case without a gesture.
OUTCOMES = ("facts", "offered", "declined", "gesture", "closed")


@dataclass(frozen=True, slots=True)
class GestureGiven:
    kind: str
    amount: Money
    ref: str


@dataclass(frozen=True, slots=True)
class RecoveryMoment:
    case_id: str
    customer_id: str
    order_number: str
    complaint_type: str
    carrier_evidence: str
    carrier_status_code: str | None
    hours_late: float | None
    gestures: tuple[GestureGiven, ...]
    decided_by: str  # "bot" or "agent:<id>" (or "lead:<id>")
    mandate_version: str
    language: str
    channel: str
    created_at: datetime  # when the gesture was carried out: the recovery touchpoint's time
    # Optional, filled from the conversation where known (see docs/scores.md).
    carrier: str | None = None  # "postnl", "dhl": the failed delivery touchpoint's channel
    segment: str | None = None  # new, regular, vip: at the time of the case
    order_value: Money | None = None
    damage_extent: str | None = None  # cosmetic, partial, unusable
    demand: Money | None = None  # what the customer asked for, if they named an amount
    customer_turns: int | None = None  # customer messages from the complaint to the fix
    seconds_to_resolution: float | None = None  # from the first complaint message to the fix
    tone_start: float | None = None  # -1 angry .. 0 neutral .. +1 glad, first message
    tone_end: float | None = None  # the same, last message
    facts_confirmed: bool | None = None  # None: the carrier's evidence is known
    resolved: bool | None = None  # None: at least one gesture was carried out
    csat: int | None = None  # scores known when recording (imports); usually added later
    ces: int | None = None
    nps: int | None = None
    # What the case came to (OUTCOMES); None: "gesture" with gestures, else "facts".
    outcome: str | None = None
    # A case's later outcome replaces its earlier moment: the higher revision wins.
    revision: int = 0
    close_reason: str | None = None  # a person's reason for closing without a gesture
    decision: str | None = None  # JSON: the live decision and its inputs (recovery/moments.py)

    @property
    def amount(self) -> Money:
        currency = self.gestures[0].amount.currency if self.gestures else self.currency
        total = Money.zero(currency)
        for gesture in self.gestures:
            total += gesture.amount
        return total

    @property
    def currency(self) -> str:
        for money in (*(g.amount for g in self.gestures), self.order_value, self.demand):
            if money is not None:
                return money.currency
        return "EUR"

    @property
    def what_came_of_it(self) -> str:
        if self.outcome is not None:
            return self.outcome
        return "gesture" if self.gestures else "facts"

    @property
    def is_resolved(self) -> bool:
        return bool(self.gestures) if self.resolved is None else self.resolved

    @property
    def has_facts(self) -> bool:
        if self.facts_confirmed is not None:
            return self.facts_confirmed
        return self.carrier_evidence != "unknown"


def _money_json(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"minor": money.minor, "currency": money.currency}


def _money(data: dict[str, Any] | None) -> Money | None:
    return None if data is None else Money(data["minor"], data["currency"])


def moment_to_json(moment: RecoveryMoment) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in fields(moment):
        value = getattr(moment, field.name)
        if field.name == "gestures":
            value = [{"kind": g.kind, "amount": _money_json(g.amount), "ref": g.ref} for g in value]
        elif isinstance(value, Money):
            value = _money_json(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        data[field.name] = value
    return data


def moment_from_json(data: dict[str, Any]) -> RecoveryMoment:
    values = dict(data)
    values["gestures"] = tuple(
        GestureGiven(g["kind"], Money(g["amount"]["minor"], g["amount"]["currency"]), g["ref"])
        for g in data["gestures"]
    )
    values["created_at"] = datetime.fromisoformat(data["created_at"])
    for name in ("order_value", "demand"):
        values[name] = _money(data.get(name))
    return RecoveryMoment(**values)

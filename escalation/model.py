"""An escalated case as agents see it: the case file (facts at hand-over) and its state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from herstel.money import Money
from policies import Level


class Why(StrEnum):
    """Why the bot handed the case to a person."""

    ABOVE_MANDATE = "above_mandate"  # the engine gives the bot nothing adequate
    CUSTOMER_ASKED = "customer_asked"  # "I want to talk to a person"
    MISUNDERSTOOD = "misunderstood"  # two misunderstandings in a row
    FRUSTRATION = "frustration"  # strong frustration
    CARRIER_FACTS = "carrier_facts"  # lost parcel, or facts contradicting the customer
    HIGH_VALUE = "high_value"  # order value at or above the configured threshold
    GRANT_FAILED = "grant_failed"  # the bot's gesture could not be carried out


class Act(StrEnum):
    """What an agent can do from a card: the Block Kit action_id of each control.

    A grant button's value is "<case_id>|<offer key>"; every other control's value is the
    case id. Values are input, not authority: the desk re-checks everything on the server.
    """

    CLAIM = "herstel_claim"
    GRANT = "herstel_grant"
    WRITE = "herstel_write"  # opens the modal for a personal message to the customer
    TAKE_OVER = "herstel_take_over"
    HAND_BACK = "herstel_hand_back"
    CLOSE = "herstel_close"  # opens the modal for closing without a gesture, with a reason


# The personal-message modal: callback_id, the case id in private_metadata, one text input.
WRITE_MODAL = "herstel_write_modal"
WRITE_BLOCK = "message"
WRITE_INPUT = "text"
# The close-without-a-gesture modal: the same shape, the reason in its one text input.
CLOSE_MODAL = "herstel_close_modal"
CLOSE_REASON_MAX = 500  # a reason is a sentence for the team, not a letter


class Status(StrEnum):
    OPEN = "open"  # waiting for an agent
    CLAIMED = "claimed"  # an agent owns it; the bot still answers
    TAKEN_OVER = "taken_over"  # an agent owns the conversation; the bot is silent
    RESOLVED = "resolved"  # decided; nothing on the card is clickable any more


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    quantity: int
    total: Money


@dataclass(frozen=True, slots=True)
class CarrierFacts:
    carrier: str
    status: str  # normalised status, e.g. "in_transit"
    evidence: str  # what the mandate engine made of it, e.g. "delivered_but_missing"
    window: str | None = None  # expected delivery window, human text
    hours_late: float | None = None
    last_event: str | None = None  # the carrier's latest event text


@dataclass(frozen=True, slots=True)
class Message:
    speaker: str  # "customer", "bot" or "agent"
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PastGesture:
    """An earlier gesture for this customer, from the ledger."""

    at: datetime
    kind: str
    amount: Money
    decided_by: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A gesture the mandate allows for this case, ranked; an agent grants it with one click."""

    key: str  # the offer key ("voucher:1"): what a button carries, never an amount
    kind: str
    cost: Money
    level: Level  # the lowest level that may grant it
    reasons: tuple[str, ...] = ()
    description: str = ""  # e.g. "replacement, customer keeps the damaged item"


@dataclass(frozen=True, slots=True)
class CaseFile:
    """Everything an agent needs to decide in seconds, frozen at hand-over."""

    case_id: str
    conversation_ref: str  # pseudonym of the conversation (safe to show and log)
    customer_ref: str  # pseudonymous customer id
    channel: str
    language: str
    why: Why
    opened_at: datetime
    complaint_type: str | None = None
    customer_name: str | None = None  # only when configured to show names
    order_number: str | None = None
    order_value: Money | None = None
    lines: tuple[Line, ...] = ()
    carrier: CarrierFacts | None = None
    summary: str = ""
    last_messages: tuple[Message, ...] = ()
    history: tuple[PastGesture, ...] = ()
    decision_reasons: tuple[str, ...] = ()
    mandate_version: str | None = None
    suggestions: tuple[Suggestion, ...] = ()  # ranked, best first
    damage: str | None = None  # for a damaged product: "partial" or "unusable"
    product: str | None = None  # the product the customer named
    # For the recovery moment's Ease and Emotion: effort and tone up to the hand-over.
    customer_turns: int | None = None
    started_at: datetime | None = None
    tone_start: float | None = None

    def suggestion(self, key: str) -> Suggestion | None:
        return next((s for s in self.suggestions if s.key == key), None)


@dataclass(frozen=True, slots=True)
class CaseState:
    """Where the case stands; changes as agents act."""

    status: Status = Status.OPEN
    owner: str | None = None  # the Slack (or inbox) user id that claimed it
    owner_name: str | None = None
    outcome: str | None = None  # what was decided, human text for the card
    decided_by: str | None = None
    decided_at: datetime | None = None
    thread: tuple[Message, ...] = ()  # customer messages and agent replies since hand-over
    # What the bot says to confirm the decision: Rasa response names with their parameters.
    outcome_messages: tuple[dict[str, Any], ...] = ()
    slack_channel: str | None = None
    slack_ts: str | None = None

    def but(self, **changes: Any) -> CaseState:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Case:
    file: CaseFile
    state: CaseState = field(default_factory=CaseState)


# --- JSON round trip for the store ---------------------------------------------------------


def to_json(value: Any) -> Any:
    """Dataclasses, Money, enums and datetimes as plain JSON values."""
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_json(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def _money(data: dict[str, Any] | None) -> Money | None:
    return Money(int(data["minor"]), data["currency"]) if data else None


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _messages(items: list[dict[str, Any]]) -> tuple[Message, ...]:
    return tuple(Message(m["speaker"], m["text"], datetime.fromisoformat(m["at"])) for m in items)


def case_file_from_json(data: dict[str, Any]) -> CaseFile:
    carrier = data.get("carrier")
    return CaseFile(
        case_id=data["case_id"],
        conversation_ref=data["conversation_ref"],
        customer_ref=data["customer_ref"],
        channel=data["channel"],
        language=data["language"],
        why=Why(data["why"]),
        opened_at=datetime.fromisoformat(data["opened_at"]),
        complaint_type=data.get("complaint_type"),
        customer_name=data.get("customer_name"),
        order_number=data.get("order_number"),
        order_value=_money(data.get("order_value")),
        lines=tuple(
            Line(x["name"], int(x["quantity"]), _money(x["total"]))  # type: ignore[arg-type]
            for x in data.get("lines", [])
        ),
        carrier=CarrierFacts(**carrier) if carrier else None,
        summary=data.get("summary", ""),
        last_messages=_messages(data.get("last_messages", [])),
        history=tuple(
            PastGesture(
                datetime.fromisoformat(h["at"]),
                h["kind"],
                _money(h["amount"]),
                h["decided_by"],  # type: ignore[arg-type]
            )
            for h in data.get("history", [])
        ),
        decision_reasons=tuple(data.get("decision_reasons", [])),
        mandate_version=data.get("mandate_version"),
        suggestions=tuple(
            Suggestion(
                s["key"],
                s["kind"],
                _money(s["cost"]),  # type: ignore[arg-type]
                Level(s["level"]),
                tuple(s.get("reasons", [])),
                s.get("description", ""),
            )
            for s in data.get("suggestions", [])
        ),
        damage=data.get("damage"),
        product=data.get("product"),
        customer_turns=data.get("customer_turns"),
        started_at=_at(data.get("started_at")),
        tone_start=data.get("tone_start"),
    )


def case_state_from_json(data: dict[str, Any]) -> CaseState:
    return CaseState(
        status=Status(data["status"]),
        owner=data.get("owner"),
        owner_name=data.get("owner_name"),
        outcome=data.get("outcome"),
        decided_by=data.get("decided_by"),
        decided_at=_at(data.get("decided_at")),
        thread=_messages(data.get("thread", [])),
        outcome_messages=tuple(data.get("outcome_messages", [])),
        slack_channel=data.get("slack_channel"),
        slack_ts=data.get("slack_ts"),
    )

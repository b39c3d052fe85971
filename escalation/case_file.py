"""The case file handed to agents, built from what the conversation established."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalation.model import CarrierFacts, CaseFile, Line, Message, PastGesture, Suggestion, Why
from herstel.money import Money
from policies import GestureKind, Offer
from recovery import phrases
from recovery.diagnosis import Diagnosis
from recovery.moments import NO_CONVERSATION, Conversation
from recovery.proposal import Complaint, Proposal, carrier_evidence
from recovery.service import offer_key

LAST_MESSAGES = 8


@dataclass(frozen=True, slots=True)
class Handover:
    """What the bot knows when it hands over."""

    case_id: str
    conversation_ref: str
    channel: str
    language: str
    why: Why
    now: datetime
    complaint: Complaint | None = None
    diagnosis: Diagnosis | None = None
    proposal: Proposal | None = None
    messages: tuple[Message, ...] = ()
    history: tuple[Any, ...] = ()  # ledger rows (created_at, kind, amount_minor, ...)
    declined: tuple[str, ...] = ()  # offer keys the customer turned down
    conversation: Conversation = NO_CONVERSATION


def case_file(h: Handover) -> CaseFile:
    order = h.diagnosis.order if h.diagnosis else None
    decision = h.proposal.decision if h.proposal else None
    return CaseFile(
        case_id=h.case_id,
        conversation_ref=h.conversation_ref,
        customer_ref=order.customer_id if order else f"conversation:{h.conversation_ref}",
        channel=h.channel,
        language=h.language,
        why=h.why,
        opened_at=h.now,
        complaint_type=h.complaint.type.value if h.complaint else None,
        order_number=order.number if order else None,
        order_value=order.value if order else None,
        lines=tuple(Line(li.name, li.quantity, li.total) for li in order.lines) if order else (),
        carrier=_carrier(h),
        summary=summary(h),
        last_messages=h.messages[-LAST_MESSAGES:],
        history=tuple(
            PastGesture(r.created_at, r.kind, Money(r.amount_minor, r.currency), r.decided_by)
            for r in h.history
        ),
        decision_reasons=tuple(r.text for r in decision.reasons) if decision else (),
        mandate_version=decision.policy_version if decision else None,
        suggestions=suggestions(decision.gestures, h.declined) if decision else (),
        damage=h.complaint.damage.value if h.complaint and h.complaint.damage else None,
        product=h.complaint.product if h.complaint else None,
        customer_turns=h.conversation.customer_turns,
        started_at=h.conversation.started_at,
        tone_start=h.conversation.tone_start,
    )


def suggestions(offers: Sequence[Offer], declined: Sequence[str] = ()) -> tuple[Suggestion, ...]:
    """Every gesture with a cost, in ladder order, minus what the customer already refused."""
    return tuple(
        Suggestion(
            key=offer_key(o),
            kind=o.kind.value,
            cost=o.cost,
            level=o.level,
            reasons=tuple(r.text for r in o.reasons),
            description=_describe(o),
        )
        for o in offers
        if o.cost.minor > 0 and offer_key(o) not in declined
    )


def summary(h: Handover) -> str:
    """One or two sentences an agent reads first."""
    parts = [_WHY[h.why]]
    if h.complaint:
        parts.append(f"Complaint: {h.complaint.type.value.replace('_', ' ')}.")
    if h.diagnosis and h.diagnosis.order:
        parts.append(f"Order {h.diagnosis.order.number} verified.")
    if h.declined:
        parts.append(f"Customer turned down: {', '.join(h.declined)}.")
    return " ".join(parts)


_WHY = {
    Why.ABOVE_MANDATE: "The bot may not give enough for this case on its own.",
    Why.CUSTOMER_ASKED: "The customer asked for a person.",
    Why.MISUNDERSTOOD: "The bot did not understand the customer twice in a row.",
    Why.FRUSTRATION: "The customer is strongly frustrated.",
    Why.CARRIER_FACTS: "The carrier's facts need a person (lost, or contradicting the customer).",
    Why.HIGH_VALUE: "A high-value order: a person decides.",
    Why.GRANT_FAILED: "The bot's gesture could not be carried out.",
}


def _carrier(h: Handover) -> CarrierFacts | None:
    shipment = h.diagnosis.shipment if h.diagnosis else None
    if shipment is None or h.diagnosis is None:
        return None
    window = None
    if shipment.expected:
        start, end = shipment.expected.start, shipment.expected.end
        day = phrases.day(start, h.now, "en")
        window = f"{day} {phrases.clock_time(start)}-{phrases.clock_time(end)}"
    late = h.diagnosis.late_by.total_seconds() / 3600 if h.diagnosis.is_late else None
    complaint = h.complaint.type if h.complaint else None
    evidence = carrier_evidence(h.diagnosis, complaint).value if complaint else "unknown"
    last = shipment.events[-1].description if shipment.events else shipment.carrier_status_text
    return CarrierFacts(
        carrier=shipment.carrier,
        status=shipment.status.value,
        evidence=evidence,
        window=window,
        hours_late=round(late, 1) if late is not None else None,
        last_event=last,
    )


def _describe(offer: Offer) -> str:
    if offer.kind is GestureKind.REPLACEMENT:
        keep = bool(getattr(offer.gesture, "keep_damaged", False))
        return "replacement; the customer keeps the damaged item" if keep else "replacement"
    if offer.kind is GestureKind.TREAT:
        return f"a small treat ({getattr(offer.gesture, 'item', '') or 'gift'})"
    return offer.kind.value.replace("_", " ")

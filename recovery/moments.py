"""A recovery moment from a case's facts, the mandate's decision and what came of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journeys.moments import GestureGiven, RecoveryMoment
from policies.case import case_to_json
from recovery.diagnosis import Diagnosis
from recovery.granting import Granted, reference
from recovery.proposal import Complaint, Proposal, carrier_evidence, hours_late

# What a case came to (journeys.moment.OUTCOMES), and whether that resolved it.
RESOLVED = {"facts": True, "offered": False, "declined": False, "gesture": True, "closed": True}


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the conversation tells about the moment: its language, effort (Ease) and tone
    (Emotion: -1 angry, 0 neutral, +1 glad)."""

    language: str = "en"
    channel: str | None = None  # None: the complaint's channel
    customer_turns: int | None = None
    started_at: datetime | None = None  # the customer's first message about it
    tone_start: float | None = None
    tone_end: float | None = None


NO_CONVERSATION = Conversation()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of a case: see RESOLVED for the words."""

    what: str
    granted: tuple[Granted, ...] = ()
    decided_by: str = "bot"  # or "agent:U123", "lead:U9"
    reason: str | None = None  # a person's reason for closing


def decision_json(proposal: Proposal) -> str:
    """The live decision and the inputs it was made on: what `policies simulate` replays."""
    d = proposal.decision
    return json.dumps(
        {
            "rule": d.rule_id,
            "to_person": proposal.to_person,
            "offers": [_offer(o) for o in proposal.offers],
            "gestures": [_offer(o) for o in d.gestures],
            "at": d.decided_at.isoformat(),
            "case": case_to_json(proposal.case) if proposal.case is not None else None,
        },
        separators=(",", ":"),
    )


def _offer(offer: Any) -> dict[str, Any]:
    return {
        "kind": offer.kind.value,
        "step": offer.step,
        "minor": offer.cost.minor,
        "level": offer.level.value,
    }


def recovery_moment(
    case_id: str,
    complaint: Complaint,
    diagnosis: Diagnosis,
    proposal: Proposal,
    outcome: Outcome,
    conversation: Conversation,
    now: datetime,
    revision: int = 0,
) -> RecoveryMoment:
    assert diagnosis.order is not None
    shipment, order, c = diagnosis.shipment, diagnosis.order, conversation
    started = c.started_at
    granted = outcome.granted
    return RecoveryMoment(
        case_id=case_id,
        customer_id=order.customer_id,
        order_number=order.number,
        complaint_type=complaint.type.value,
        carrier_evidence=carrier_evidence(diagnosis, complaint.type).value,
        carrier_status_code=shipment.carrier_status_code if shipment else None,
        hours_late=hours_late(diagnosis),
        gestures=tuple(GestureGiven(g.kind.value, g.cost, reference(g.result)) for g in granted),
        decided_by=outcome.decided_by,
        mandate_version=proposal.decision.policy_version,
        language=c.language,
        channel=c.channel or complaint.channel.value,
        created_at=now,
        carrier=order.carrier,
        segment=order.segment,
        order_value=order.value,
        damage_extent=complaint.damage.value if complaint.damage else None,
        customer_turns=c.customer_turns,
        seconds_to_resolution=round((now - started).total_seconds(), 1) if started else None,
        tone_start=c.tone_start,
        tone_end=c.tone_end,
        resolved=RESOLVED[outcome.what],
        outcome=outcome.what,
        revision=revision,
        close_reason=outcome.reason,
        decision=decision_json(proposal),
    )

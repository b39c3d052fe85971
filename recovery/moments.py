"""A recovery moment from the facts, the decision and what was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from journeys.moments import GestureGiven, RecoveryMoment
from recovery.diagnosis import Diagnosis
from recovery.granting import Granted, reference
from recovery.proposal import Complaint, Proposal, carrier_evidence


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


def recovery_moment(
    case_id: str,
    complaint: Complaint,
    diagnosis: Diagnosis,
    granted: tuple[Granted, ...],
    proposal: Proposal,
    conversation: Conversation,
    now: datetime,
    decided_by: str = "bot",
) -> RecoveryMoment:
    assert diagnosis.order is not None
    shipment, order, c = diagnosis.shipment, diagnosis.order, conversation
    started = c.started_at
    return RecoveryMoment(
        case_id=case_id,
        customer_id=diagnosis.order.customer_id,
        order_number=diagnosis.order.number,
        complaint_type=complaint.type.value,
        carrier_evidence=carrier_evidence(diagnosis, complaint.type).value,
        carrier_status_code=shipment.carrier_status_code if shipment else None,
        hours_late=round(diagnosis.late_by.total_seconds() / 3600, 2)
        if diagnosis.is_late
        else None,
        gestures=tuple(GestureGiven(g.kind.value, g.cost, reference(g.result)) for g in granted),
        decided_by=decided_by,
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
    )

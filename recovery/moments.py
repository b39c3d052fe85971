"""A recovery moment from the facts, the decision and what was given."""

from __future__ import annotations

from datetime import datetime

from journeys.moments import GestureGiven, RecoveryMoment
from recovery.diagnosis import Diagnosis
from recovery.granting import Granted, reference
from recovery.proposal import Complaint, Proposal, carrier_evidence


def recovery_moment(
    case_id: str,
    complaint: Complaint,
    diagnosis: Diagnosis,
    granted: tuple[Granted, ...],
    proposal: Proposal,
    language: str,
    now: datetime,
    decided_by: str = "bot",
) -> RecoveryMoment:
    assert diagnosis.order is not None
    shipment = diagnosis.shipment
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
        language=language,
        channel=complaint.channel.value,
        created_at=now,
    )

"""From the facts of a complaint to what the bot proposes, by asking the mandate engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carriers.model import ShipmentStatus
from herstel.money import Money
from policies import (
    BudgetUsage,
    CarrierEvidence,
    Case,
    Channel,
    ComplaintType,
    DamageExtent,
    Decision,
    History,
    Mandate,
    Offer,
    bot_plan,
    decide,
)
from recovery.diagnosis import Diagnosis
from shop.model import Order, OrderLine

_EVIDENCE = {
    ShipmentStatus.LOST: CarrierEvidence.LOST,
    ShipmentStatus.IN_TRANSIT: CarrierEvidence.IN_TRANSIT,
    ShipmentStatus.PENDING: CarrierEvidence.IN_TRANSIT,
    ShipmentStatus.DELIVERY_DELAYED: CarrierEvidence.DELAYED,
    ShipmentStatus.OUT_FOR_DELIVERY: CarrierEvidence.OUT_FOR_DELIVERY,
}


@dataclass(frozen=True, slots=True)
class Complaint:
    """What the customer says went wrong, as far as the conversation knows."""

    type: ComplaintType
    channel: Channel = Channel.WEBCHAT
    damage: DamageExtent | None = None
    product: str | None = None  # the product the customer named, if any


def affected_line(order: Order, complaint: Complaint) -> OrderLine:
    """The order line the complaint is about: the one the customer named, else the dearest."""
    named = (complaint.product or "").casefold()
    matches = [line for line in order.lines if named and named in line.name.casefold()]
    if len(matches) == 1:
        return matches[0]
    return max(order.lines, key=lambda line: line.total.minor)


@dataclass(frozen=True, slots=True)
class Proposal:
    decision: Decision
    offers: tuple[Offer, ...]  # what the bot puts to the customer now, cheapest first
    to_person: bool = False  # the mandate hands the case to a person
    case: Case | None = None  # what the engine decided on

    @property
    def facts_only(self) -> bool:
        return not self.to_person and not self.offers


def carrier_evidence(diagnosis: Diagnosis, complaint: ComplaintType) -> CarrierEvidence:
    shipment = diagnosis.shipment
    if shipment is None:
        return CarrierEvidence.UNKNOWN
    if shipment.status is ShipmentStatus.DELIVERED:
        missing = complaint is ComplaintType.MISSING_ITEM
        return CarrierEvidence.DELIVERED_BUT_MISSING if missing else CarrierEvidence.DELIVERED
    return _EVIDENCE.get(shipment.status, CarrierEvidence.UNKNOWN)


def propose(
    mandate: Mandate,
    complaint: Complaint,
    diagnosis: Diagnosis,
    *,
    now: datetime,
    history: History | None = None,
    usage: BudgetUsage | None = None,
    given_on_order: Money | None = None,
    case_id: str | None = None,
) -> Proposal:
    """The mandate's decision and what the bot does with it (policies.plan.bot_plan)."""
    assert diagnosis.order is not None, "propose needs a diagnosed order"
    case = Case(
        complaint=complaint.type,
        order_value=diagnosis.order.value,
        segment=diagnosis.order.segment,  # type: ignore[arg-type]
        channel=complaint.channel,
        evidence=carrier_evidence(diagnosis, complaint.type),
        hours_late=hours_late(diagnosis),
        damage=complaint.damage,
        item_value=affected_line(diagnosis.order, complaint).total,
        shipping_paid=diagnosis.order.shipping_cost,
        given_on_order=given_on_order,
        history=history or History(),
        budget=usage or BudgetUsage(),
        case_id=case_id,
    )
    decision = decide(case, mandate, now=now)
    plan = bot_plan(decision)
    return Proposal(decision, plan.offers, plan.to_person, case)


def hours_late(diagnosis: Diagnosis) -> float | None:
    """Hours behind the promise (0: on time); None when the carrier gave no facts."""
    if diagnosis.shipment is None:
        return None
    return round(diagnosis.late_by.total_seconds() / 3600, 2)

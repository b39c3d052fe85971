"""The bot's proposals come from the mandate engine and rest on the diagnosed facts."""

from datetime import timedelta

import pytest

from carriers.model import ShipmentStatus
from herstel.money import Money
from policies import CarrierEvidence, ComplaintType, DamageExtent, GestureKind, load_default
from recovery.diagnosis import Diagnosis, Finding
from recovery.proposal import Complaint, affected_line, carrier_evidence, propose
from shop.model import OrderLine
from tests.builders import NOW, a_shipment, an_order

MANDATE = load_default()
SHOWER_OIL_ORDER = an_order(
    number="100517",
    lines=(
        OrderLine("TOY", "cuddly toy", 1, Money.of("19.95")),
        OrderLine("OIL", "shower oil", 1, Money.of("14.50")),
    ),
    shipping_cost=Money.of("4.95"),
)


def diagnosed(order=None, shipment=None, late_by=timedelta(0)) -> Diagnosis:
    return Diagnosis(Finding.FOUND, NOW, order or an_order(), shipment or a_shipment(), late_by)


def test_the_late_laptop_gets_a_voucher_offered_unasked():
    proposal = propose(
        MANDATE,
        Complaint(ComplaintType.LATE_DELIVERY),
        diagnosed(late_by=timedelta(minutes=65)),
        now=NOW,
    )
    assert [(o.kind, o.cost) for o in proposal.offers] == [(GestureKind.VOUCHER, Money.of("10"))]
    assert all(o.bot_may_grant for o in proposal.offers)
    assert proposal.decision.policy_version == MANDATE.version


def test_the_leaking_shower_oil_gets_a_replacement_to_keep_and_a_treat():
    delivered = a_shipment(ShipmentStatus.DELIVERED, delivered_at=NOW, expected=None)
    proposal = propose(
        MANDATE,
        Complaint(ComplaintType.DAMAGED_PRODUCT, damage=DamageExtent.PARTIAL),
        diagnosed(SHOWER_OIL_ORDER, delivered),
        now=NOW,
    )
    kinds = {o.kind: o for o in proposal.offers}
    assert set(kinds) == {GestureKind.REPLACEMENT, GestureKind.TREAT}
    assert kinds[GestureKind.REPLACEMENT].gesture.keep_damaged is True


def test_a_broken_expensive_tv_is_for_a_person_to_decide():
    tv = an_order(lines=(OrderLine("TV", "TV", 1, Money.of("1199.00")),))
    delivered = a_shipment(ShipmentStatus.DELIVERED, delivered_at=NOW, expected=None)
    proposal = propose(
        MANDATE,
        Complaint(ComplaintType.DAMAGED_PRODUCT, damage=DamageExtent.UNUSABLE),
        diagnosed(tv, delivered),
        now=NOW,
    )
    assert proposal.to_person and not proposal.offers
    assert proposal.decision.needs_escalation


@pytest.mark.parametrize(
    ("status", "complaint", "evidence"),
    [
        (
            ShipmentStatus.DELIVERED,
            ComplaintType.MISSING_ITEM,
            CarrierEvidence.DELIVERED_BUT_MISSING,
        ),
        (ShipmentStatus.DELIVERED, ComplaintType.DAMAGED_PRODUCT, CarrierEvidence.DELIVERED),
        (ShipmentStatus.LOST, ComplaintType.LATE_DELIVERY, CarrierEvidence.LOST),
        (ShipmentStatus.DELIVERY_DELAYED, ComplaintType.LATE_DELIVERY, CarrierEvidence.DELAYED),
        (ShipmentStatus.RETURN_TO_SENDER, ComplaintType.LATE_DELIVERY, CarrierEvidence.UNKNOWN),
    ],
)
def test_carrier_facts_become_the_mandates_evidence(status, complaint, evidence):
    assert carrier_evidence(diagnosed(shipment=a_shipment(status)), complaint) is evidence


def test_the_named_product_is_the_one_replaced_and_priced():
    delivered = a_shipment(ShipmentStatus.DELIVERED, delivered_at=NOW, expected=None)
    complaint = Complaint(
        ComplaintType.DAMAGED_PRODUCT, damage=DamageExtent.PARTIAL, product="shower oil"
    )
    proposal = propose(MANDATE, complaint, diagnosed(SHOWER_OIL_ORDER, delivered), now=NOW)
    replacement = next(o for o in proposal.offers if o.kind is GestureKind.REPLACEMENT)
    assert replacement.cost == Money.of("14.50")
    assert affected_line(SHOWER_OIL_ORDER, complaint).sku == "OIL"


def test_without_a_named_product_the_dearest_line_is_assumed():
    complaint = Complaint(ComplaintType.DAMAGED_PRODUCT, product="something else")
    assert affected_line(SHOWER_OIL_ORDER, complaint).sku == "TOY"

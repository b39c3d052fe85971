"""The complaint is checked against the carrier's facts."""

from datetime import timedelta

import pytest

from carriers.model import ShipmentStatus
from policies import ComplaintType
from recovery.agreement import contradicts
from recovery.diagnosis import Diagnosis, Finding
from tests.builders import NOW, a_shipment, an_order


def facts(status: ShipmentStatus, late_by: timedelta = timedelta(0)) -> Diagnosis:
    return Diagnosis(Finding.FOUND, NOW, an_order(), a_shipment(status), late_by)


@pytest.mark.parametrize(
    "status",
    [ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.IN_TRANSIT, ShipmentStatus.READY_FOR_PICKUP],
)
@pytest.mark.parametrize(
    "complaint",
    [ComplaintType.MISSING_ITEM, ComplaintType.DAMAGED_PRODUCT, ComplaintType.WRONG_ITEM],
)
def test_goods_complaints_contradict_a_parcel_the_carrier_has_not_delivered(complaint, status):
    assert contradicts(complaint, facts(status))


@pytest.mark.parametrize(
    "complaint",
    [ComplaintType.MISSING_ITEM, ComplaintType.DAMAGED_PRODUCT, ComplaintType.WRONG_ITEM],
)
def test_goods_complaints_agree_with_a_delivered_parcel(complaint):
    assert not contradicts(complaint, facts(ShipmentStatus.DELIVERED))


def test_late_contradicts_a_parcel_delivered_in_time_but_not_one_delivered_late():
    assert contradicts(ComplaintType.LATE_DELIVERY, facts(ShipmentStatus.DELIVERED))
    late = facts(ShipmentStatus.DELIVERED, timedelta(hours=5))
    assert not contradicts(ComplaintType.LATE_DELIVERY, late)


def test_late_agrees_with_a_parcel_still_on_its_way():
    assert not contradicts(ComplaintType.LATE_DELIVERY, facts(ShipmentStatus.OUT_FOR_DELIVERY))


def test_nothing_to_contradict_without_a_complaint_or_carrier_facts():
    assert not contradicts(None, facts(ShipmentStatus.IN_TRANSIT))
    no_facts = Diagnosis(Finding.CARRIER_UNAVAILABLE, NOW, an_order())
    assert not contradicts(ComplaintType.MISSING_ITEM, no_facts)
    assert not contradicts(ComplaintType.OTHER, facts(ShipmentStatus.IN_TRANSIT))

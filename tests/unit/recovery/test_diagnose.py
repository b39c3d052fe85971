from datetime import timedelta

from carriers.errors import CarrierRateLimited, CarrierResponseError, CarrierUnavailable
from carriers.fake import FakeCarrier
from carriers.model import ShipmentStatus
from herstel.clock import FrozenClock
from recovery.diagnosis import Finding
from recovery.service import RecoveryService
from shop.memory import InMemoryShop
from tests.builders import NOW, a_shipment, an_order


def service(carrier: FakeCarrier, *orders) -> RecoveryService:
    shop = InMemoryShop(orders or [an_order()])
    return RecoveryService(shop, {"postnl": carrier}, FrozenClock(NOW))


async def test_a_late_parcel_out_for_delivery_is_late_from_the_promise_to_the_window_start():
    carrier = FakeCarrier({"3SHRST100482": a_shipment()})
    diagnosis = await service(carrier).diagnose("100482", "3512JE")
    assert diagnosis.finding is Finding.FOUND
    assert diagnosis.shipment.status is ShipmentStatus.OUT_FOR_DELIVERY
    assert diagnosis.late_by == timedelta(minutes=65)  # promised 11:00 UTC, window from 12:05


async def test_an_unknown_order_and_a_wrong_postcode_look_the_same_to_the_customer():
    carrier = FakeCarrier({"3SHRST100482": a_shipment()})
    unknown = await service(carrier).diagnose("999999", "3512JE")
    wrong_postcode = await service(carrier).diagnose("100482", "1011AB")
    assert unknown.finding is wrong_postcode.finding is Finding.ORDER_NOT_FOUND
    assert unknown.order is None and wrong_postcode.order is None
    assert carrier.calls == []  # nothing is asked of the carrier before identity is checked


async def test_a_parcel_the_carrier_does_not_know_yet_is_not_yet_at_the_carrier():
    diagnosis = await service(FakeCarrier({})).diagnose("100482", "3512JE")
    assert diagnosis.finding is Finding.NOT_YET_AT_CARRIER


async def test_carrier_failures_become_carrier_unavailable():
    for error in (
        CarrierUnavailable("500"),
        CarrierRateLimited("429", 1.0),
        CarrierResponseError("?"),
    ):
        diagnosis = await service(FakeCarrier({"3SHRST100482": error})).diagnose("100482", "3512JE")
        assert diagnosis.finding is Finding.CARRIER_UNAVAILABLE
        assert diagnosis.order is not None


async def test_an_order_with_an_unconfigured_carrier_is_reported_as_unavailable():
    order = an_order(carrier="dpd")
    diagnosis = await service(FakeCarrier({}), order).diagnose("100482", "3512JE")
    assert diagnosis.finding is Finding.CARRIER_UNAVAILABLE


async def test_a_delivered_parcel_is_late_only_by_its_delivery_time():
    delivered = a_shipment(
        ShipmentStatus.DELIVERED, delivered_at=NOW - timedelta(minutes=10), expected=None
    )
    diagnosis = await service(FakeCarrier({"3SHRST100482": delivered})).diagnose("100482", "3512JE")
    assert diagnosis.late_by == timedelta(minutes=20)


async def test_the_order_e_mail_address_proves_identity_as_well_as_the_postcode():
    carrier = FakeCarrier({"3SHRST100482": a_shipment()})
    by_email = await service(carrier).diagnose("100482", "anna@example.nl")
    by_other_email = await service(carrier).diagnose("100482", "someone@example.nl")
    assert by_email.finding is Finding.FOUND
    assert by_other_email.finding is Finding.ORDER_NOT_FOUND

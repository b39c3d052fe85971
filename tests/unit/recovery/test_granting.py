"""Carrying out a proposal: exactly once, within budget, releasing on failure."""

import asyncio
from datetime import timedelta

import pytest

from carriers.fake import FakeCarrier
from herstel.money import Money
from journeys.moments import MomentStore
from policies import ComplaintType, load_default, load_mandate_data
from recovery.granting import Granter, NotGranted
from recovery.proposal import Complaint
from recovery.service import RecoveryService, offer_key
from shop.errors import ShopRefused
from shop.memory import InMemoryShop
from tests.builders import a_shipment, an_order

LATE = Complaint(ComplaintType.LATE_DELIVERY)


def laptop_order(clock):
    return an_order(promised_by=clock.now() - timedelta(minutes=30))


def late_shipment(clock):
    shipment = a_shipment()
    window = type(shipment.expected)(
        clock.now() + timedelta(minutes=35), clock.now() + timedelta(hours=1)
    )
    return a_shipment(expected=window)


def a_service(store, shop, mandate=None, standing=None):
    mandate = mandate or load_default()
    carrier = FakeCarrier({"3SHRST100482": late_shipment(store.clock)})
    granter = Granter(shop, store.ledger, mandate)
    moments = MomentStore(store.engine)
    return RecoveryService(
        shop, {"postnl": carrier}, store.clock, mandate, granter, moments, standing
    )


async def accept_voucher(service, case_id="conv-1:100482:late_delivery"):
    diagnosis = await service.diagnose("100482", "3512JE")
    proposal = await service.propose(LATE, diagnosis)
    offered = [offer_key(o) for o in proposal.offers]
    return await service.accept(case_id, LATE, diagnosis, offered)


async def test_saying_yes_twice_gives_one_voucher(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    first = await accept_voucher(service)
    again = await accept_voucher(service)
    assert first == again
    assert len(shop.writes) == 1
    assert first[0].cost == Money.of("10")
    history = await sqlite_store.ledger.customer_history(
        "cus_0001", sqlite_store.clock.now() - timedelta(days=1)
    )
    assert history.count == 1 and history.total == Money.of("10")


async def test_twenty_racing_yeses_give_one_voucher(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    results = await asyncio.gather(*(accept_voucher(service) for _ in range(20)))
    assert len({r[0].result.code for r in results}) == 1
    assert len(shop.writes) == 1


async def test_a_spent_budget_stops_the_bot_and_spends_nothing(sqlite_store):
    data = load_default().policy.model_dump(mode="json")
    data["budgets"] = {"day": {"voucher": "15.00"}}  # room for one €10 voucher today
    mandate = load_mandate_data(data, source="tight.yml")
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop, mandate)
    await accept_voucher(service, "conv-a:100482:late_delivery")
    with pytest.raises(NotGranted, match="budget"):
        await accept_voucher(service, "conv-b:100482:late_delivery")
    assert len(shop.writes) == 1


async def test_an_offer_outside_the_bots_mandate_is_refused_on_the_server(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    diagnosis = await service.diagnose("100482", "3512JE")
    with pytest.raises(NotGranted, match="no longer within"):
        await service.accept("conv-2", LATE, diagnosis, ["full_refund:9"])
    assert shop.writes == {}


async def test_a_failing_shop_releases_the_reserved_budget(sqlite_store):
    class BrokenShop(InMemoryShop):
        async def issue_voucher(self, key, order, amount):
            raise ConnectionError("shop down")

    shop = BrokenShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    with pytest.raises(ConnectionError):
        await accept_voucher(service)
    history = await sqlite_store.ledger.customer_history(
        "cus_0001", sqlite_store.clock.now() - timedelta(days=1)
    )
    assert history.count == 0


async def test_a_granted_case_leaves_one_recovery_moment_with_its_facts(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    await accept_voucher(service)
    await accept_voucher(service)  # a repeated yes is not a second moment
    moments = [m async for m in MomentStore(sqlite_store.engine).export()]
    assert len(moments) == 1
    [moment] = moments
    assert moment["complaint_type"] == "late_delivery"
    assert moment["carrier_evidence"] == "out_for_delivery"
    assert moment["amount"] == {"minor": 1000, "currency": "EUR"}
    assert moment["gestures"][0]["kind"] == "voucher"
    assert moment["gestures"][0]["ref"].startswith("TEST-")
    assert moment["decided_by"] == "bot"
    assert moment["mandate_version"] == load_default().version
    assert moment["hours_late"] > 1


async def test_a_gesture_the_shop_refuses_is_not_granted_and_costs_nothing(sqlite_store):
    class RefusingShop(InMemoryShop):
        async def issue_voucher(self, key, order, amount):
            raise ShopRefused("gift card limit exceeded")

    service = a_service(sqlite_store, RefusingShop([laptop_order(sqlite_store.clock)]))
    with pytest.raises(NotGranted, match="refused"):
        await accept_voucher(service)
    history = await sqlite_store.ledger.customer_history(
        "cus_0001", sqlite_store.clock.now() - timedelta(days=1)
    )
    assert history.count == 0

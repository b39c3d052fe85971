"""Carrying out a proposal: exactly once, within budget; after a shop failure, the retry
completes it (the reservation stays: the shop may have done it)."""

import asyncio
from datetime import timedelta

import pytest

from carriers.fake import FakeCarrier
from herstel.bootstrap import recovery_service
from herstel.money import Money
from journeys.moments import MomentStore
from policies import ComplaintType, Level, load_default, load_mandate_data
from recovery.granting import AlreadyDecided, Granter, NotGranted
from recovery.proposal import Complaint
from recovery.service import offer_key
from shop.errors import ShopRefused
from shop.memory import InMemoryShop
from tests.builders import a_shipment, an_order
from tests.support.ledger_db import ledger_rows, spent

LATE = Complaint(ComplaintType.LATE_DELIVERY)
BOT = Level.BOT


def laptop_order(clock, shipping: str = "0"):
    return an_order(
        promised_by=clock.now() - timedelta(minutes=30), shipping_cost=Money.of(shipping)
    )


def late_shipment(clock):
    shipment = a_shipment()
    window = type(shipment.expected)(
        clock.now() + timedelta(minutes=35), clock.now() + timedelta(hours=1)
    )
    return a_shipment(expected=window)


def a_service(store, shop, mandate=None):
    carrier = FakeCarrier({"3SHRST100482": late_shipment(store.clock)})
    carriers = {"postnl": carrier}
    return recovery_service(shop, carriers, store.clock, mandate or load_default(), store.engine)


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
    diagnosis = await service.diagnose("100482", "3512JE")
    stale = await service.propose(LATE, diagnosis, "other-case")  # read before any spending
    await accept_voucher(service, "conv-a:100482:late_delivery")
    # The engine sees the spent budget: a person decides now.
    with pytest.raises(NotGranted, match="person"):
        await accept_voucher(service, "conv-b:100482:late_delivery")
    # A decision made on an earlier read still meets the budget where money is reserved.
    granter = Granter(shop, sqlite_store.ledger, mandate)
    order, line = diagnosis.order, diagnosis.order.lines[0]
    with pytest.raises(NotGranted, match="budget day:2026-11-22:voucher"):
        await granter.grant("conv-c", order, line, stale.offers, decided_by="bot", level=BOT)
    assert len(shop.writes) == 1


async def test_an_offer_outside_the_bots_mandate_is_refused_on_the_server(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    diagnosis = await service.diagnose("100482", "3512JE")
    with pytest.raises(NotGranted, match="no longer within"):
        await service.accept("conv-2", LATE, diagnosis, ["full_refund:9"])
    assert shop.writes == {}


class FlakyShop(InMemoryShop):
    """Fails the first voucher: before writing it, or after (the answer lost on the way)."""

    def __init__(self, orders, *, wrote_it: bool) -> None:
        super().__init__(orders)
        self.wrote_it = wrote_it
        self.failures = 1

    async def issue_voucher(self, key, order, amount):
        if self.failures:
            self.failures -= 1
            if self.wrote_it:
                await super().issue_voucher(key, order, amount)
            raise ConnectionError("shop timed out")
        return await super().issue_voucher(key, order, amount)


@pytest.mark.parametrize("wrote_it", [False, True], ids=["shop-did-nothing", "answer-lost"])
async def test_a_shop_failure_then_a_retry_gives_one_voucher_charged_once(sqlite_store, wrote_it):
    shop = FlakyShop([laptop_order(sqlite_store.clock)], wrote_it=wrote_it)
    service = a_service(sqlite_store, shop)
    with pytest.raises(ConnectionError):
        await accept_voucher(service)
    # The reservation is kept, not released: the shop may hold the voucher already.
    [row] = await ledger_rows(sqlite_store.engine)
    assert row.state == "reserved"
    [granted] = await accept_voucher(service)  # the customer's next yes
    assert list(shop.writes) == [row.idempotency_key]
    assert granted.result.code == shop.writes[row.idempotency_key].code
    [row] = await ledger_rows(sqlite_store.engine)
    assert (row.state, row.result_ref) == ("issued", granted.result.code)
    assert await spent(sqlite_store.engine, "day:2026-11-22:voucher") == 1000
    again = await accept_voucher(service)
    assert again == (granted,) and len(shop.writes) == 1


async def test_two_conversations_on_one_failure_get_one_decision(sqlite_store):
    # Conversation A took the voucher; conversation B, on the same case, asks for the
    # shipping refund instead: the case is compensated once.
    shop = InMemoryShop([laptop_order(sqlite_store.clock, "4.95")])
    service = a_service(sqlite_store, shop)
    case = "100482:late_delivery"
    await accept_voucher(service, case)
    diagnosis = await service.diagnose("100482", "3512JE")
    with pytest.raises(AlreadyDecided):
        await service.accept(case, LATE, diagnosis, ["shipping_refund:1"])
    assert len(shop.writes) == 1


async def test_two_conversations_racing_on_one_failure_with_different_yeses_get_one(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock, "4.95")])
    service = a_service(sqlite_store, shop)
    diagnosis = await service.diagnose("100482", "3512JE")
    case = "100482:late_delivery"
    yeses = [["voucher:2"], ["shipping_refund:1"]] * 5
    outcomes = await asyncio.gather(
        *(service.accept(case, LATE, diagnosis, keys) for keys in yeses), return_exceptions=True
    )
    granted = {o[0].kind for o in outcomes if isinstance(o, tuple)}
    refused = [o for o in outcomes if isinstance(o, AlreadyDecided)]
    assert len(granted) == 1 and len(refused) == 5
    assert len(shop.writes) == 1
    assert len(await ledger_rows(sqlite_store.engine)) == 1


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

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from herstel.clock import FrozenClock
from herstel.money import Money
from shop.demo import DemoShop
from shop.errors import IdempotencyConflict
from tests.builders import NOW


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
async def shop(tmp_path, clock):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    demo = DemoShop(engine, clock)
    await demo.create_schema()
    await demo.seed()
    yield demo
    await engine.dispose()


async def test_demo_orders_are_seeded_with_times_relative_to_now(shop):
    count = await shop.seed()
    order = await shop.find_order("100482")
    assert count >= 15
    assert order.promised_by == NOW - timedelta(minutes=30)
    assert order.postcode == "3512JE"
    assert order.carrier == "postnl" and order.tracking_number == "3SHRST100482"
    assert order.value == Money.of("899.00")


async def test_reseeding_moves_the_story_to_the_new_now_without_duplicates(shop, clock):
    later = NOW + timedelta(days=2)
    clock.set(later)
    await shop.seed()
    order = await shop.find_order("100517")
    assert order.promised_by == later - timedelta(hours=20)
    assert [line.name for line in order.lines] == ["cuddly toy", "shower oil"]
    assert order.value == Money.of("34.45")


async def test_an_unknown_order_is_none(shop):
    assert await shop.find_order("999999") is None


async def test_a_repeated_voucher_request_returns_the_first_voucher(shop):
    order = await shop.find_order("100482")
    first = await shop.issue_voucher("case-1:voucher", order, Money.of("10"))
    again = await shop.issue_voucher("case-1:voucher", order, Money.of("10"))
    assert again == first
    assert first.code.startswith("HRST-")


async def test_concurrent_identical_writes_have_one_effect(shop):
    order = await shop.find_order("100517")
    results = await asyncio.gather(
        *(
            shop.create_replacement("case-2:repl", order, "OIL-250", keep_damaged=True)
            for _ in range(20)
        )
    )
    assert len({r.replacement_order for r in results}) == 1
    assert results[0].keep_damaged is True


async def test_a_key_reused_for_another_write_is_refused(shop):
    order = await shop.find_order("100482")
    await shop.issue_voucher("case-3", order, Money.of("10"))
    with pytest.raises(IdempotencyConflict):
        await shop.refund("case-3", order, Money.of("10"))


async def test_a_refund_larger_than_the_order_is_refused(shop):
    order = await shop.find_order("100482")
    with pytest.raises(ValueError, match="exceeds"):
        await shop.refund("case-4", order, Money.of("2000"))


async def test_an_order_is_found_by_e_mail_and_postcode_together_only(shop):
    order = await shop.find_latest_order("Anna.deVries@example.nl", "3512JE")
    assert order is not None and (order.customer_id, order.postcode) == ("cus_0001", "3512JE")
    assert await shop.find_latest_order("anna.devries@example.nl", "1011AB") is None
    assert await shop.find_latest_order("someone@example.nl", "3512JE") is None

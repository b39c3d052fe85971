from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from herstel.clock import FrozenClock
from herstel.money import Money
from shop.demo import DemoShop
from tests.builders import NOW


@pytest.fixture
async def shop(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    demo = DemoShop(engine)
    await demo.create_schema()
    yield demo
    await engine.dispose()


async def test_demo_orders_are_seeded_with_times_relative_to_now(shop):
    count = await shop.seed(FrozenClock(NOW))
    order = await shop.find_order("100482")
    assert count >= 15
    assert order.promised_by == NOW - timedelta(minutes=30)
    assert order.postcode == "3512JE"
    assert order.carrier == "postnl" and order.tracking_number == "3SHRST100482"
    assert order.value == Money.of("899.00")


async def test_reseeding_moves_the_story_to_the_new_now_without_duplicates(shop):
    await shop.seed(FrozenClock(NOW))
    later = NOW + timedelta(days=2)
    await shop.seed(FrozenClock(later))
    order = await shop.find_order("100517")
    assert order.promised_by == later - timedelta(hours=20)
    assert [line.name for line in order.lines] == ["cuddly toy", "shower oil"]
    assert order.value == Money.of("34.45")


async def test_an_unknown_order_is_none(shop):
    await shop.seed(FrozenClock(NOW))
    assert await shop.find_order("999999") is None

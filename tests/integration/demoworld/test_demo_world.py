"""herstel demo seed and reset on the embedded stores: the demo shop, the carrier simulator's
stories, and a history that starts afresh without touching a configured database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from carriers.simulator import create_app
from carriers.simulator.app import SCENARIOS
from demoworld import service
from herstel.clock import SystemClock
from herstel.settings import Settings
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from shop.demo import DemoShop
from tests.support.gestures import a_request
from tests.support.ledger_db import ledger_rows

pytestmark = pytest.mark.integration


def settings_in(tmp_path: Path, **overrides: str) -> Settings:
    return Settings(var_dir=tmp_path, **overrides)


async def demo_order(settings: Settings, number: str):  # type: ignore[no-untyped-def]
    engine = create_engine_for(settings.shop_db_url)
    try:
        return await DemoShop(engine, SystemClock()).find_order(number)
    finally:
        await engine.dispose()


async def test_a_seeded_world_is_in_the_shop_and_its_parcels_at_the_carrier(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    world = await service.seed(settings, SystemClock(), orders=300, customers=90, seed=11)
    assert (world.generated, world.orders) == (300, 315)
    order = await demo_order(settings, "200123")
    assert order is not None
    assert await demo_order(settings, "100482") is not None  # the README's stay
    app = create_app(clock=SystemClock(), world=service.world_path(settings))
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        assert order.tracking_number in app[SCENARIOS]
    finally:
        await runner.cleanup()


async def test_reset_leaves_the_readme_orders_and_no_history(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    await service.seed(settings, SystemClock(), orders=50, customers=10, seed=1)
    await migrate(settings.journey_db_url)
    engine = create_engine_for(settings.journey_db_url)
    try:
        await GestureLedger(engine, SystemClock()).reserve(a_request(customer="cus_0001"))
        assert len(await ledger_rows(engine)) == 1
        world = await service.reset(settings, SystemClock())
        assert (world.orders, world.generated) == (15, 0)
        assert await ledger_rows(engine) == []
    finally:
        await engine.dispose()
    assert await demo_order(settings, "200001") is None
    assert not service.world_path(settings).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"database_url": "postgresql+asyncpg://herstel@db.internal/herstel"},
        {"shop": "shopify", "shopify_store_domain": "a.myshopify.com", "shopify_access_token": "t"},
    ],
)
async def test_history_is_never_reset_outside_the_embedded_demo(
    tmp_path: Path, overrides: dict[str, str]
) -> None:
    with pytest.raises(service.NotTheDemo):
        await service.forget_history(settings_in(tmp_path, **overrides), SystemClock())


async def test_the_carrier_simulator_plays_a_world_seeded_while_it_runs(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    book = create_app(clock=SystemClock(), world=service.world_path(settings))[SCENARIOS]
    assert "3SHRST100482" in book and "3SDEMO200000" not in book
    await service.seed(settings, SystemClock(), orders=5, customers=2, seed=1)
    await asyncio.sleep(1.1)  # the world file is looked at at most once a second
    tracked = {o.tracking_number for o in [await demo_order(settings, "200000")] if o}
    assert tracked and tracked <= set(book)

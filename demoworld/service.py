"""Seed and reset the demo world: the demo shop, the carrier simulator's stories, and the
demo's history in the embedded stores. A configured database or a real shop is never reset."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from demoworld import WORLD_FILE
from demoworld.generate import generate
from herstel.clock import Clock
from herstel.settings import Settings
from journeys import tables  # noqa: F401  (every journey-store table is known to Base)
from journeys.db import Base, create_engine_for, migrate
from journeys.outbox import OUTBOX_FILE
from shop.demo import DEFAULT_SEED, DemoShop
from shop.world import load_orders


class NotTheDemo(Exception):
    """The stores are not the embedded demo's: resetting them would lose real history."""


@dataclass(frozen=True, slots=True)
class World:
    orders: int  # in the demo shop, README orders included
    generated: int  # of which generated


def world_path(settings: Settings) -> Path:
    return settings.var_dir / WORLD_FILE


def is_embedded_demo(settings: Settings) -> bool:
    """The demo shop on the embedded SQLite stores under var/, as `make run` has it."""
    return settings.shop == "demo" and not settings.database_url and not settings.shop_database_url


async def load(settings: Settings, clock: Clock) -> World:
    """Write the demo shop's orders (the README's and a generated world's), dated from now."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = world_path(settings)
    extra = [path] if path.exists() else []
    engine = create_engine_for(settings.shop_db_url)
    try:
        shop = DemoShop(engine, clock)
        await shop.create_schema()
        count = await shop.seed(*extra)
    finally:
        await engine.dispose()
    return World(count, count - len(load_orders(DEFAULT_SEED)["orders"]))


async def seed(settings: Settings, clock: Clock, orders: int, customers: int, seed: int) -> World:
    """Generate a world, keep it under var/ for the shop and the simulators, and load it."""
    world = generate(orders, customers, seed)
    path = world_path(settings)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(world), encoding="utf-8")
    os.replace(partial, path)  # the carrier simulator never reads half a file
    loaded = await load(settings, clock)
    return World(loaded.orders, len(world["orders"]))


async def reset(settings: Settings, clock: Clock) -> World:
    """Back to the README's orders only, with no history."""
    world_path(settings).unlink(missing_ok=True)
    loaded = await load(settings, clock)
    await forget_history(settings, clock)
    return loaded


async def forget_history(settings: Settings, clock: Clock) -> None:
    """Empty the demo's journey store (gestures, budgets, cases, moments, hand-overs), its
    outbox and the demo shop's record of gestures: the demo starts afresh."""
    if not is_embedded_demo(settings):
        raise NotTheDemo(
            "only the embedded demo stores are reset (HERSTEL_SHOP=demo, no database URLs)"
        )
    await migrate(settings.journey_db_url)
    journeys = create_engine_for(settings.journey_db_url)
    try:
        async with journeys.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(table.delete())
    finally:
        await journeys.dispose()
    for suffix in ("", "-wal", "-shm"):
        (settings.var_dir / f"{OUTBOX_FILE}{suffix}").unlink(missing_ok=True)
    engine = create_engine_for(settings.shop_db_url)
    try:
        shop = DemoShop(engine, clock)
        await shop.create_schema()
        await shop.forget_gestures()
    finally:
        await engine.dispose()

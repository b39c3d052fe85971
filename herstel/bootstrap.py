"""The composition root: builds the services with real adapters (or the ones a test hands in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from carriers.factory import build_carrier
from carriers.model import Carrier
from herstel.clock import Clock, SystemClock
from herstel.settings import Settings
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from journeys.moments import MomentStore
from policies import Mandate, load_mandate
from recovery.granting import Granter
from recovery.service import RecoveryService
from shop.demo import DemoShop
from shop.model import Shop


@dataclass
class Services:
    recovery: RecoveryService
    shop: Shop
    _closers: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        for closer in reversed(self._closers):
            await closer()


def _engine(url: str) -> AsyncEngine:
    return create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))


async def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    shop: Shop | None = None,
    carriers: dict[str, Carrier] | None = None,
    mandate: Mandate | None = None,
) -> Services:
    """Wire everything; adapters passed in (fakes in tests) replace the real ones."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    closers: list[Any] = []
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if shop is None:
        engine = _engine(settings.shop_db_url)
        closers.append(engine.dispose)
        demo = DemoShop(engine, clock)
        await demo.create_schema()
        shop = demo
    if carriers is None:
        session = aiohttp.ClientSession()
        closers.append(session.close)
        carriers = _carriers(settings, session, clock)
    mandate = mandate or load_mandate(settings.policy_file)
    journeys = create_engine_for(settings.journey_db_url)
    closers.append(journeys.dispose)
    granter = Granter(shop, GestureLedger(journeys, clock), mandate)
    moments = MomentStore(journeys)
    recovery = RecoveryService(shop, carriers, clock, mandate, granter, moments)
    return Services(recovery=recovery, shop=shop, _closers=closers)


def _carriers(
    settings: Settings, session: aiohttp.ClientSession, clock: Clock
) -> dict[str, Carrier]:
    common = {
        "clock": clock,
        "timeout": settings.carrier_timeout_seconds,
        "cache_seconds": settings.carrier_cache_seconds,
    }
    return {
        "postnl": build_carrier(
            "postnl",
            session,
            base_url=settings.postnl_base_url,
            api_key=settings.postnl_api_key.get_secret_value(),
            **common,
        ),
        "dhl": build_carrier(
            "dhl",
            session,
            base_url=settings.dhl_base_url,
            api_key=settings.dhl_api_key.get_secret_value(),
            **common,
        ),
    }


async def prepare(settings: Settings, clock: Clock) -> int:
    """Once at start-up: migrate the journey store, write the demo orders; returns how many."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    await migrate(settings.journey_db_url)
    engine = _engine(settings.shop_db_url)
    try:
        demo = DemoShop(engine, clock)
        await demo.create_schema()
        return await demo.seed()
    finally:
        await engine.dispose()

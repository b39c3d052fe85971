"""After PostgreSQL restarts, the first calls work: the pools check connections before use."""

from __future__ import annotations

import asyncio

import pytest

from herstel.clock import FrozenClock
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from shop.demo import DemoShop
from tests.support.fixtures import NOW, fresh_postgres_database
from tests.support.gestures import a_request
from tests.support.postgres import PostgresServer, start_server, stop_server

pytestmark = pytest.mark.integration


async def test_the_first_calls_after_a_restart_succeed_on_every_pooled_connection(
    stoppable_postgres: PostgresServer,
) -> None:
    clock = FrozenClock(NOW)
    journeys_url = await fresh_postgres_database(stoppable_postgres)
    shop_url = await fresh_postgres_database(stoppable_postgres)
    await migrate(journeys_url)
    journeys, shop_db = create_engine_for(journeys_url), create_engine_for(shop_url)
    ledger, shop = GestureLedger(journeys, clock), DemoShop(shop_db, clock)
    try:
        await shop.create_schema()
        await shop.seed()
        # Several connections in each pool, all of which the restart will close.
        await asyncio.gather(*(ledger.reserve(a_request()) for _ in range(6)))
        await asyncio.gather(*(shop.find_order("100482") for _ in range(6)))

        await asyncio.to_thread(stop_server, stoppable_postgres)
        await asyncio.to_thread(start_server, stoppable_postgres)

        # Every one of these would meet a closed connection without the pre-ping.
        reserved = await asyncio.gather(*(ledger.reserve(a_request()) for _ in range(6)))
        found = await asyncio.gather(*(shop.find_order("100482") for _ in range(6)))
        assert len({r.id for r in reserved}) == 6
        assert all(order is not None and order.number == "100482" for order in found)
    finally:
        await journeys.dispose()
        await shop_db.dispose()


async def test_a_database_that_is_down_fails_fast_instead_of_hanging(
    stoppable_postgres: PostgresServer,
) -> None:
    url = await fresh_postgres_database(stoppable_postgres)
    await migrate(url)
    engine = create_engine_for(url)
    ledger = GestureLedger(engine, FrozenClock(NOW))
    try:
        await ledger.reserve(a_request())
        await asyncio.to_thread(stop_server, stoppable_postgres)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises((OSError, Exception)):
            await ledger.reserve(a_request())
        assert loop.time() - started < 6
    finally:
        await engine.dispose()

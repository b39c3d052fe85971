"""Pytest fixtures for the stores: migrated SQLite files, PostgreSQL databases, Redis."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from herstel.clock import AMSTERDAM, FrozenClock
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from tests.support.postgres import PostgresServer, PostgresUnavailable, throwaway_postgres
from tests.support.redis import RedisServer, RedisUnavailable, throwaway_redis

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=AMSTERDAM)


@dataclass
class Store:
    """A migrated database with a ledger on it and the clock the ledger reads.

    rival is a second ledger on its own engine, like another replica of the service: racing
    calls spread over both so that only the database, not an in-process lock, keeps order.
    """

    url: str
    engine: AsyncEngine
    clock: FrozenClock
    ledger: GestureLedger
    rival: GestureLedger
    rival_engine: AsyncEngine

    def replicas(self, n: int) -> list[GestureLedger]:
        """n ledgers to make n calls with, alternating between the two engines."""
        return [(self.ledger, self.rival)[i % 2] for i in range(n)]

    async def close(self) -> None:
        await self.engine.dispose()
        await self.rival_engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; tests copy it instead of migrating again."""
    path = tmp_path_factory.mktemp("journeys") / "template.db"
    # A thread of its own: asyncio.run must not disturb the event loop pytest-asyncio manages.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, migrate(sqlite_url(path))).result()
    return path


def copy_sqlite(template: Path, folder: Path) -> str:
    target = folder / f"ledger-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, target)
    return sqlite_url(target)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real Redis for the session; a missing redis-server fails loudly, never skips."""
    try:
        with throwaway_redis() as server:
            yield server
    except RedisUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL for the session; missing binaries fail loudly, never skip."""
    try:
        with throwaway_postgres() as server:
            yield server
    except PostgresUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture
def stoppable_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of the test's own, to stop and start (tests.support.postgres.stop_server):
    the session's server stays up for everyone else."""
    try:
        with throwaway_postgres() as server:
            yield server
    except PostgresUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)


async def fresh_postgres_database(server: PostgresServer) -> str:
    """Create an empty database on server and return its SQLAlchemy URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server.dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server.url(name)


async def drop_postgres_database(server: PostgresServer, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(server.dsn())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def sqlite_store(
    sqlite_template: Path, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Store]:
    store = await open_store(copy_sqlite(sqlite_template, tmp_path), clock)
    try:
        yield store
    finally:
        await store.close()


async def open_store(url: str, clock: FrozenClock) -> Store:
    engine = create_engine_for(url, pool_size=20, max_overflow=20)
    rival = create_engine_for(url, pool_size=20, max_overflow=20)
    return Store(
        url, engine, clock, GestureLedger(engine, clock), GestureLedger(rival, clock), rival
    )

"""The same ledger tests on a real PostgreSQL and on SQLite: `store` is parametrized."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from herstel.clock import FrozenClock
from journeys.db import migrate
from tests.support.fixtures import (
    Store,
    copy_sqlite,
    drop_postgres_database,
    fresh_postgres_database,
    open_store,
)
from tests.support.postgres import PostgresServer


@pytest.fixture
async def empty_postgres(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A brand-new, unmigrated database on the session's PostgreSQL."""
    url = await fresh_postgres_database(postgres_server)
    try:
        yield url
    finally:
        await drop_postgres_database(postgres_server, url)


@pytest.fixture(params=["postgresql", "sqlite"])
async def store(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path: Path,
    clock: FrozenClock,
) -> AsyncIterator[Store]:
    """A migrated ledger store, once on PostgreSQL and once on SQLite."""
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")  # sync: safe inside the loop
        url = await fresh_postgres_database(server)
        await migrate(url)
    else:
        url = copy_sqlite(sqlite_template, tmp_path)
    opened = await open_store(url, clock)
    try:
        yield opened
    finally:
        await opened.close()
        if server is not None:
            await drop_postgres_database(server, url)

"""The SQLite engine waits for its one writer, readers do not queue, and migrations match."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.dialects import sqlite

from journeys import tables  # noqa: F401  (registers the tables)
from journeys.db import VERSION_TABLE, Base, UTCDateTime, create_engine_for, downgrade, migrate
from tests.support.fixtures import Store, sqlite_url
from tests.support.gestures import a_request, day_limit


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_store: Store) -> None:
    async with sqlite_store.engine.connect() as conn:
        mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
    assert (mode, timeout) == ("wal", 30_000)


async def test_a_writer_waits_for_another_writer_instead_of_failing(sqlite_store: Store) -> None:
    async with sqlite_store.rival_engine.begin() as holder:
        await holder.execute(text("UPDATE budget_counters SET spent_minor = 0"))
        waiting = asyncio.create_task(
            sqlite_store.ledger.reserve(a_request(amount="1", limits=[day_limit("10")]))
        )
        await asyncio.sleep(0.3)
        assert not waiting.done()  # blocked on the write lock, not failed
    assert (await waiting).amount.minor == 100


async def test_reading_usage_does_not_wait_for_a_writer(sqlite_store: Store) -> None:
    async with sqlite_store.rival_engine.begin() as holder:
        await holder.execute(text("UPDATE budget_counters SET spent_minor = 0"))
        usage = sqlite_store.ledger.usage(sqlite_store.clock.now(), [day_limit("10")])
        assert (await asyncio.wait_for(usage, timeout=5)).lines


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_hand_written_migration_matches_the_models_on_sqlite(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "fresh.db")
    await migrate(url)
    engine = create_engine_for(url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_drift) == []
    finally:
        await engine.dispose()


async def test_migrating_down_and_up_again_on_sqlite_works(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "fresh.db")
    await migrate(url)
    await downgrade(url, "base")
    engine = create_engine_for(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert "gesture_ledger" not in names
    await migrate(url)


def test_naive_datetimes_are_refused_by_the_store() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        UTCDateTime().process_bind_param(datetime(2026, 11, 22, 12), sqlite.dialect())

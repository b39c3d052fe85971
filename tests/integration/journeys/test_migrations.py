"""The hand-written migration builds the models' schema on an empty PostgreSQL database."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from journeys import tables  # noqa: F401  (registers the tables)
from journeys.db import VERSION_TABLE, Base, alembic_config, create_engine_for, downgrade, migrate

pytestmark = pytest.mark.integration


def _schema_drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_create_the_ledger_tables_on_an_empty_postgres(
    empty_postgres: str,
) -> None:
    await migrate(empty_postgres)
    engine = create_engine_for(empty_postgres)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            version = (
                await conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            ).scalar()
            drift = await conn.run_sync(_schema_drift)
    finally:
        await engine.dispose()
    assert {"gesture_ledger", "recovery_moments", "escalations", VERSION_TABLE} <= names
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert drift == []


async def test_migrating_twice_changes_nothing(empty_postgres: str) -> None:
    await migrate(empty_postgres)
    await migrate(empty_postgres)
    engine = create_engine_for(empty_postgres)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}"))).scalar()
    finally:
        await engine.dispose()
    assert rows == 1


async def test_the_migration_can_be_undone_and_redone(empty_postgres: str) -> None:
    await migrate(empty_postgres)
    await downgrade(empty_postgres, "base")
    assert "gesture_ledger" not in await _tables(empty_postgres)
    await migrate(empty_postgres)
    assert "gesture_ledger" in await _tables(empty_postgres)


async def _tables(url: str) -> set[str]:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()

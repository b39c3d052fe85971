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
    assert {"customers", "journeys", "touchpoints"} <= names
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


async def test_moments_from_before_0005_keep_their_data_and_get_a_level(
    empty_postgres: str,
) -> None:
    await migrate(empty_postgres, "0004")
    engine = create_engine_for(empty_postgres)
    columns = (
        "id, case_id, customer_id, order_number, complaint_type, carrier_evidence, gestures, "
        "amount_minor, currency, decided_by, mandate_version, language, channel, created_at"
    )
    try:
        async with engine.begin() as conn:
            old = [("bot", "delivered"), ("agent:U1", "unknown"), ("lead:U2", "lost")]
            for n, (by, evidence) in enumerate(old):
                await conn.execute(
                    text(
                        f"INSERT INTO recovery_moments ({columns}) VALUES (:id, :case, 'c', "
                        "'1', 'late_delivery', :evidence, '[]', 0, 'EUR', :by, 'v', 'nl', "
                        "'webchat', now())"
                    ),
                    {"id": f"m{n}", "case": f"case{n}", "evidence": evidence, "by": by},
                )
        await migrate(empty_postgres)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT decided_level, facts_confirmed, journey_id, previous_complaints "
                        "FROM recovery_moments ORDER BY case_id"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("bot", True, None, 0),
        ("agent", False, None, 0),
        ("lead", True, None, 0),
    ]

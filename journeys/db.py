"""Database plumbing for the journey store: Base, engines for SQLite/PostgreSQL, migrations."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, DateTime, Dialect, Insert, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "journeys_alembic_version"  # our own, so other parts of Herstel can share a db
SQLITE_BUSY_MS = 30_000
CONNECT_SECONDS = 5  # a database that does not answer fails the turn instead of hanging it
# Execution option for transactions that only read: on SQLite they skip the write lock.
READ_ONLY = "journeys_read_only"


class Base(DeclarativeBase):
    """Declarative base of every journey-store table."""


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite keeps naive UTC text that sorts correctly."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine_for(url: str, **options: Any) -> AsyncEngine:
    """An async engine; on SQLite every transaction takes the write lock up front (see below)."""
    if make_url(url).get_backend_name() != "sqlite":
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 40)
        # The guards in counters.py rely on READ COMMITTED: each statement sees fresh commits.
        options.setdefault("isolation_level", "READ COMMITTED")
        # After a database restart every pooled connection is dead: check one before use.
        options.setdefault("pool_pre_ping", True)
        options.setdefault("connect_args", {}).setdefault("timeout", CONNECT_SECONDS)
        return create_async_engine(url, **options)
    connect_args = options.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_MS / 1000)
    engine = create_async_engine(url, connect_args=connect_args, **options)
    _sqlite_immediate(engine)
    return engine


def _sqlite_immediate(engine: AsyncEngine) -> None:
    # BEGIN IMMEDIATE makes SQLite's single writer explicit: a transaction waits (busy timeout)
    # for the write lock at its start instead of failing with SQLITE_BUSY when a reader upgrades.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code; env.py uses the given connection when there is one."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_table", VERSION_TABLE)
    config.attributes["connection"] = connection
    return config


async def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at url to revision (head by default)."""
    await _alembic(url, command.upgrade, revision)


async def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at url to revision ("base": no journey tables at all)."""
    await _alembic(url, command.downgrade, revision)


async def _alembic(url: str, step: Callable[[Config, str], None], revision: str) -> None:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(lambda sync: step(alembic_config(sync), revision))
            await connection.commit()
    finally:
        await engine.dispose()


@functools.cache
def insert_if_absent(dialect_name: str, table: Table, key: str) -> Insert:
    """INSERT ... ON CONFLICT (key) DO NOTHING for PostgreSQL or SQLite; values come at execute."""
    if dialect_name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the journey store does not support {dialect_name}")
    module: Any = postgresql if dialect_name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=[key])

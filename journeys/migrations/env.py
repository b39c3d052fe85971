"""Alembic environment of the journey store: uses the caller's connection, or the URL given."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from journeys import tables  # noqa: F401  (registers the tables on Base.metadata)
from journeys.db import VERSION_TABLE, Base, create_engine_for

config = context.config


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=config.get_main_option("version_table") or VERSION_TABLE,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url(url: str) -> None:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
            await connection.commit()
    finally:
        await engine.dispose()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection (see journeys.db.migrate)")
    asyncio.run(run_from_url(url))


if context.is_offline_mode():
    raise RuntimeError("the journey store migrates online only")
run_online()

"""Raw reads of the ledger tables, so tests check the database and not only the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

from journeys.tables import CounterRow, GestureRow


@dataclass(frozen=True)
class Counter:
    spent: int
    limit: int
    currency: str


async def counters(engine: AsyncEngine) -> dict[str, Counter]:
    table = CounterRow.__table__
    async with engine.connect() as conn:
        rows = (await conn.execute(select(table))).all()
    return {r.key: Counter(r.spent_minor, r.limit_minor, r.currency) for r in rows}


async def spent(engine: AsyncEngine, key: str) -> int:
    """Minor units spent on a counter; 0 when the counter does not exist yet."""
    found = (await counters(engine)).get(key)
    return found.spent if found else 0


async def ledger_rows(engine: AsyncEngine) -> list[Row[Any]]:
    table = GestureRow.__table__
    async with engine.connect() as conn:
        return list((await conn.execute(select(table).order_by(table.c.created_at))).all())

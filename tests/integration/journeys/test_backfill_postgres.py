"""The backfill on a real PostgreSQL, racing the service: new moments on the same customers and
orders, and survey answers for the very moments being backfilled."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from journeys.backfill import backfill, pending
from journeys.db import create_engine_for, migrate
from journeys.moments import MomentStore
from tests.support.fixtures import copy_sqlite
from tests.support.moments import snapshot
from tests.unit.journeys.before_0005 import insert_old, old_and_new

pytestmark = pytest.mark.integration


async def test_backfill_racing_the_service_ends_as_if_all_were_recorded_now(
    empty_postgres: str, sqlite_template: Path, tmp_path: Path
) -> None:
    old, new = old_and_new()
    await migrate(empty_postgres, "0004")
    engine = create_engine_for(empty_postgres)
    service = create_engine_for(empty_postgres)
    try:
        await insert_old(engine, old)
        await migrate(empty_postgres)
        moments = MomentStore(service)
        answered = old[::11]

        async def serve() -> None:
            for start in range(0, len(new), 20):
                await moments.record_many(new[start : start + 20])
                await asyncio.sleep(0)
            for m in answered:
                assert await moments.add_score(m.case_id, "csat", 4)

        done, _ = await asyncio.gather(backfill(engine, batch=13), serve())
        assert done == len(old)
        async with engine.connect() as conn:
            assert await pending(conn) == 0
        raced = await snapshot(engine)
    finally:
        await engine.dispose()
        await service.dispose()
    scored = {m.case_id for m in answered}
    expected = [replace(m, csat=4) if m.case_id in scored else m for m in old] + new
    reference = create_engine_for(copy_sqlite(sqlite_template, tmp_path))
    try:
        await MomentStore(reference).record_many(expected)
        assert raced == await snapshot(reference)
    finally:
        await reference.dispose()

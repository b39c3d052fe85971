"""`herstel journeys backfill`: moments from before journeys existed end as if recorded now."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from journeys.backfill import backfill
from journeys.db import create_engine_for, migrate
from journeys.moments import MomentStore
from tests.support.fixtures import copy_sqlite, sqlite_url
from tests.support.moments import moment_rows, snapshot
from tests.unit.journeys.before_0005 import insert_old, old_and_new


@pytest.fixture
async def upgraded(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A store that recorded moments at revision 0004, then was migrated to the head."""
    url = sqlite_url(tmp_path / "upgraded.db")
    await migrate(url, "0004")
    engine = create_engine_for(url)
    try:
        old, _ = old_and_new()
        await insert_old(engine, old)
        await migrate(url)
        yield engine
    finally:
        await engine.dispose()


async def recorded_now(moments: list, template: Path, folder: Path) -> dict:
    """What the store holds when the same moments are recorded the usual way."""
    engine = create_engine_for(copy_sqlite(template, folder))
    try:
        await MomentStore(engine).record_many(moments)
        return await snapshot(engine)
    finally:
        await engine.dispose()


async def test_old_moments_end_as_if_recorded_with_their_journeys(
    upgraded: AsyncEngine, sqlite_template: Path, tmp_path: Path
) -> None:
    old, new = old_and_new()
    store = MomentStore(upgraded)
    for start in range(0, len(new), 40):  # the service goes on before the backfill runs
        await store.record_many(new[start : start + 40])
    assert await store.add_score(old[0].case_id, "ces", 2)  # answered after the upgrade
    seen: list[tuple[int, int]] = []
    assert await backfill(upgraded, batch=17, progress=lambda *p: seen.append(p)) == len(old)
    assert seen[-1] == (len(old), len(old)) and len(seen) == -(-len(old) // 17)
    expected = await recorded_now([replace(old[0], ces=2), *old[1:], *new], sqlite_template,
                                  tmp_path)  # fmt: skip
    assert await snapshot(upgraded) == expected
    ids = {row.case_id: row.id for row in await moment_rows(upgraded)}
    assert [ids[m.case_id] for m in old] == [f"{n:032x}" for n in range(len(old))]  # kept


async def test_running_it_again_changes_nothing(upgraded: AsyncEngine) -> None:
    assert await backfill(upgraded, batch=50) == len(old_and_new()[0])
    before = await snapshot(upgraded)
    assert await backfill(upgraded) == 0
    assert await snapshot(upgraded) == before

"""A recovery moment is never lost: while the store is unavailable it waits in the outbox.

The store here is a SQLite file in a folder that does not exist yet (every connection fails
as "unable to open database file"), and comes back when the folder is created and migrated.
The same story against a PostgreSQL server that is stopped and restarted is in
tests/integration/journeys/test_outbox_postgres.py.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from herstel.money import Money
from journeys.db import create_engine_for
from journeys.moments import MomentStore
from journeys.outbox import Outbox, is_unavailable
from tests.support.fixtures import copy_sqlite, sqlite_url
from tests.support.moments import LAPTOP, SHOWER_OIL, moment, moment_rows, snapshot


@dataclass
class Flaky:
    """A journey store that is down until back() is called."""

    folder: Path
    template: Path
    engine: AsyncEngine
    outbox: Outbox

    def store(self) -> MomentStore:
        return MomentStore(self.engine, self.outbox)

    def back(self) -> None:
        self.folder.mkdir()
        shutil.copyfile(self.template, self.folder / "herstel.db")


@pytest.fixture
async def flaky(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Flaky]:
    folder = tmp_path / "store"
    engine = create_engine_for(sqlite_url(folder / "herstel.db"))
    try:
        yield Flaky(folder, sqlite_template, engine, Outbox(tmp_path / "var" / "outbox.db"))
    finally:
        await engine.dispose()
        # aiosqlite stops the thread of a failed connection without waiting for it: let those
        # threads finish while this test's event loop still runs.
        await asyncio.sleep(0.1)


async def reference(moments: list, template: Path, folder: Path, scores: list) -> dict:
    """What the store holds when the same moments and scores go straight in."""
    engine = create_engine_for(copy_sqlite(template, folder))
    try:
        store = MomentStore(engine)
        for m in moments:
            await store.record(m)
        for case, scale, score in scores:
            await store.add_score(case, scale, score)
        return await snapshot(engine)
    finally:
        await engine.dispose()


async def test_without_an_outbox_an_unavailable_store_raises(flaky: Flaky) -> None:
    with pytest.raises(OperationalError):
        await MomentStore(flaky.engine).record(LAPTOP)


async def test_moments_and_scores_wait_and_are_written_once_when_the_store_is_back(
    flaky: Flaky, sqlite_template: Path, tmp_path: Path
) -> None:
    store = flaky.store()
    await store.record(LAPTOP)  # down: kept, no error
    assert await store.add_score(LAPTOP.case_id, "csat", 9)
    await store.record(LAPTOP)  # a retried action while down
    assert await flaky.outbox.pending() == 3
    flaky.back()
    await store.record(SHOWER_OIL)  # the next successful write flushes
    assert await flaky.outbox.pending() == 0
    assert await store.add_score(LAPTOP.case_id, "ces", 6)
    expected = await reference(
        [LAPTOP, SHOWER_OIL],
        sqlite_template,
        tmp_path,
        [(LAPTOP.case_id, "csat", 9), (LAPTOP.case_id, "ces", 6)],
    )
    assert await snapshot(flaky.engine) == expected


async def test_a_score_waits_behind_its_moment_even_when_the_store_is_back(flaky: Flaky) -> None:
    store = flaky.store()
    await store.record(LAPTOP)
    flaky.back()
    # The outbox still holds the moment: the score is flushed with it, never before it.
    assert await store.add_score(LAPTOP.case_id, "nps", 10)
    [row] = await moment_rows(flaky.engine)
    assert row.nps == 10
    assert await flaky.outbox.pending() == 0


async def test_a_flush_repeated_after_a_crash_stores_each_moment_once(
    flaky: Flaky, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = flaky.store()
    for n in range(5):
        await store.record(moment(n))
    flaky.back()
    done = flaky.outbox.done

    async def crash(seqs: list[int]) -> None:  # the store committed, the outbox did not hear
        raise OSError("killed before the outbox was told")

    monkeypatch.setattr(flaky.outbox, "done", crash)
    with pytest.raises(OSError, match="killed"):
        await store.flush_outbox()
    assert len(await moment_rows(flaky.engine)) == 5
    before = await snapshot(flaky.engine)
    monkeypatch.setattr(flaky.outbox, "done", done)
    result = await store.flush_outbox()
    assert (result.moments, result.complete) == (5, True)
    assert await snapshot(flaky.engine) == before
    assert await flaky.outbox.pending() == 0


async def test_an_entry_the_store_refuses_is_kept_aside_and_the_rest_written(
    flaky: Flaky,
) -> None:
    store = flaky.store()
    broken = replace(moment(2), demand=Money.of("10", "GBP"))  # currencies do not mix
    for m in (moment(1), broken, moment(3)):
        await store.record(m)
    await store.add_score("never-recorded", "csat", 5)
    flaky.back()
    result = await store.flush_outbox()
    assert (result.moments, result.buried, result.complete) == (2, 2, True)
    assert [r.case_id for r in await moment_rows(flaky.engine)] == [
        moment(1).case_id,
        moment(3).case_id,
    ]
    assert (await flaky.outbox.pending(), await flaky.outbox.dead()) == (0, 2)


async def test_the_outbox_survives_the_process(flaky: Flaky) -> None:
    await flaky.store().record(LAPTOP)
    mode = stat.S_IMODE(os.stat(flaky.outbox.path).st_mode)
    assert mode == 0o600  # customer and order ids: the service's user only
    flaky.back()
    restarted = MomentStore(flaky.engine, Outbox(flaky.outbox.path))  # a new process
    await restarted.record(SHOWER_OIL)  # its first write flushes what a past run left
    assert len(await moment_rows(flaky.engine)) == 2


async def test_a_periodic_flush_writes_without_waiting_for_a_new_moment(flaky: Flaky) -> None:
    store = flaky.store()
    await store.record(LAPTOP)
    task = asyncio.create_task(store.keep_flushing(every=0.02))
    try:
        await asyncio.sleep(0.1)  # still down: the flush fails quietly and tries again
        assert await flaky.outbox.pending() == 1
        flaky.back()
        for _ in range(200):
            if not await flaky.outbox.pending():
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
    assert len(await moment_rows(flaky.engine)) == 1


def test_what_counts_as_an_unavailable_store() -> None:
    assert is_unavailable(OperationalError("SELECT 1", {}, Exception("unable to open")))
    assert is_unavailable(ConnectionRefusedError(111, "refused"))
    assert is_unavailable(TimeoutError())
    assert not is_unavailable(IntegrityError("INSERT", {}, Exception("unique")))
    assert not is_unavailable(ValueError("bad data"))

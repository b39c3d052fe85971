"""PostgreSQL stops in the middle of conversations and comes back: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from journeys.db import create_engine_for, migrate
from journeys.moments import MomentStore
from journeys.outbox import Outbox
from tests.support.fixtures import fresh_postgres_database
from tests.support.moments import AT, LAPTOP, SHOWER_OIL, moment, moment_rows, snapshot
from tests.support.postgres import PostgresServer, start_server, stop_server

pytestmark = pytest.mark.integration

BEFORE = [LAPTOP, moment(1)]
DURING = [SHOWER_OIL, moment(2), replace(moment(3), order_number=LAPTOP.order_number,
          case_id="100482:missing_item:later", complaint_type="missing_item",
          customer_id=LAPTOP.customer_id, created_at=AT + timedelta(days=1))]  # fmt: skip
AFTER = [moment(4)]
SCORES_BEFORE = [(LAPTOP.case_id, "csat", 9)]
SCORES_DURING = [(LAPTOP.case_id, "ces", 6), (SHOWER_OIL.case_id, "csat", 10),
                 (SHOWER_OIL.case_id, "nps", 9), (moment(2).case_id, "csat", 3)]  # fmt: skip


async def _direct(server: PostgresServer) -> dict:
    """What the store holds when everything goes straight in, without an outage."""
    url = await fresh_postgres_database(server)
    await migrate(url)
    engine = create_engine_for(url)
    try:
        store = MomentStore(engine)
        for m in [*BEFORE, *DURING, *AFTER]:
            await store.record(m)
        for case, scale, score in [*SCORES_BEFORE, *SCORES_DURING]:
            await store.add_score(case, scale, score)
        return await snapshot(engine)
    finally:
        await engine.dispose()


async def test_an_outage_mid_conversation_loses_and_doubles_nothing(
    stoppable_postgres: PostgresServer, tmp_path: Path
) -> None:
    server = stoppable_postgres
    expected = await _direct(server)
    url = await fresh_postgres_database(server)
    await migrate(url)
    engine = create_engine_for(url)
    outbox = Outbox(tmp_path / "var" / "journeys-outbox.db")
    store = MomentStore(engine, outbox)
    try:
        for m in BEFORE:
            await store.record(m)
        for case, scale, score in SCORES_BEFORE:
            assert await store.add_score(case, scale, score)

        await asyncio.to_thread(stop_server, server)
        for m in DURING:
            await store.record(m)  # the gesture was issued: the moment must not be lost
        await store.record(DURING[0])  # a retried action while the store is down
        for case, scale, score in SCORES_DURING:
            assert await store.add_score(case, scale, score)  # kept, behind its moment
        assert await outbox.pending() == len(DURING) + 1 + len(SCORES_DURING)
        flushed = await store.flush_outbox()  # the periodic flush, still down
        assert not flushed.complete and flushed.moments == 0
        assert await outbox.pending() == len(DURING) + 1 + len(SCORES_DURING)

        await asyncio.to_thread(start_server, server)
        for m in AFTER:
            await store.record(m)  # the pool's old connections are dead: one retry, then on
        assert await outbox.pending() == 0
        again = await store.flush_outbox()
        assert (again.moments, again.scores) == (0, 0)

        rows = await moment_rows(engine)
        assert len(rows) == len({m.case_id for m in [*BEFORE, *DURING, *AFTER]})
        assert await snapshot(engine) == expected
        laptop = next(r for r in rows if r.case_id == LAPTOP.case_id)
        assert (laptop.csat, laptop.ces, laptop.recontacted) == (9, 6, True)
    finally:
        await engine.dispose()


async def test_a_moment_recorded_while_stopped_survives_a_restart_of_the_service(
    stoppable_postgres: PostgresServer, tmp_path: Path
) -> None:
    server = stoppable_postgres
    url = await fresh_postgres_database(server)
    await migrate(url)
    path = tmp_path / "journeys-outbox.db"
    engine = create_engine_for(url)
    try:
        await asyncio.to_thread(stop_server, server)
        await MomentStore(engine, Outbox(path)).record(LAPTOP)
    finally:
        await engine.dispose()  # the action server stops too
    await asyncio.to_thread(start_server, server)
    engine = create_engine_for(url)
    try:
        store = MomentStore(engine, Outbox(path))  # a new process, the same var dir
        result = await store.flush_outbox()
        assert (result.moments, result.complete) == (1, True)
        [row] = await moment_rows(engine)
        assert row.case_id == LAPTOP.case_id
    finally:
        await engine.dispose()

"""The journey store's fast write path against the straightforward computation and against the
plain library calls it replaces (json.dumps, Money sums, min/max)."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from herstel.money import CurrencyMismatch, Money
from journeys import recording
from journeys.generate import generate_moments
from journeys.moment import GestureGiven
from journeys.moments import MomentStore
from journeys.recording import gestures_json, moment_ids, moment_row
from tests.support.fixtures import Store
from tests.support.moments import AT, LAPTOP, journey_rows, moment_rows, touchpoint_rows
from tests.unit.journeys.reference_settling import (
    awkward_moments,
    differences,
    expected_journeys,
    expected_moments,
)


async def test_batches_in_any_order_settle_as_the_formulas_say(sqlite_store: Store) -> None:
    moments = awkward_moments()
    random.Random(3).shuffle(moments)
    store = MomentStore(sqlite_store.engine)
    for start in range(0, len(moments), 97):
        await store.record_many(moments[start : start + 97])
    stored = await moment_rows(sqlite_store.engine)
    assert differences(expected_moments(moments), stored, "case_id") == []
    journeys = await journey_rows(sqlite_store.engine)
    assert differences(expected_journeys(moments), journeys, "id") == []


async def test_a_case_stored_before_journeys_existed_is_not_counted_in_a_new_journey(
    sqlite_store: Store,
) -> None:
    store = MomentStore(sqlite_store.engine)
    await store.record(LAPTOP)
    async with sqlite_store.engine.begin() as conn:  # as migration 0005 leaves older moments
        for table in ("touchpoints", "journeys", "customers"):
            await conn.execute(text(f"DELETE FROM {table}"))
        await conn.execute(text("UPDATE recovery_moments SET journey_id = NULL"))
    assert await store.record_many([LAPTOP]) == 0  # the case is known: skipped
    [journey] = await journey_rows(sqlite_store.engine)
    assert journey.score is None  # it holds nothing yet (see herstel journeys backfill)
    assert await touchpoint_rows(sqlite_store.engine) == []


async def test_preparing_a_batch_lets_other_tasks_run(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preparing a batch is CPU only (20+ ms for a thousand moments): done in slices, so another
    batch's transaction, holding locks, or the bot's requests are not held up meanwhile."""
    ticks, seen = 0, {}

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    def counting(name: str, call: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.setdefault(name, ticks)
            return call(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(recording, "new_moment", counting("start", recording.new_moment))
    upsert = counting("end", recording.upsert_customers)  # the batch's first statement
    monkeypatch.setattr(recording, "upsert_customers", upsert)
    moments = list(generate_moments(400, seed=6))
    running = asyncio.create_task(ticker())
    try:
        await MomentStore(sqlite_store.engine).record_many(moments)
    finally:
        running.cancel()
    assert seen["end"] - seen["start"] >= len(moments) // recording.SLICE


# --- the shortcuts against the plain library calls -----------------------------------------

names = st.text(max_size=12)  # quotes, backslashes, control characters, any Unicode


@given(st.lists(st.tuples(names, st.integers(0, 10**12), names), max_size=4))
def test_the_gestures_column_is_what_json_dumps_makes(
    given_: list[tuple[str, int, str]],
) -> None:
    gestures = tuple(GestureGiven(kind, Money(minor), ref) for kind, minor, ref in given_)
    plain = [{"kind": g.kind, "amount_minor": g.amount.minor, "ref": g.ref} for g in gestures]
    assert gestures_json(gestures) == json.dumps(plain)


def test_the_amount_is_the_sum_of_the_gestures() -> None:
    for m in generate_moments(300, seed=8):
        row = moment_row(m, 0.1, "j", "id")
        assert (row["amount_minor"], row["currency"]) == (m.amount.minor, m.amount.currency)
    bare = replace(LAPTOP, gestures=(), order_value=Money.of("5", "GBP"))
    assert moment_row(bare, 0.1, "j", "id")["currency"] == "GBP"
    mixed = replace(LAPTOP, gestures=(*LAPTOP.gestures, GestureGiven("x", Money(1, "USD"), "r")))
    with pytest.raises(CurrencyMismatch):
        moment_row(mixed, 0.1, "j", "id")


def test_moment_ids_sort_by_time_and_differ() -> None:
    times = [AT + timedelta(milliseconds=n) for n in (0, 0, 1, 2500, 86_400_000)]
    ids = moment_ids(times)
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 for i in ids)
    assert [i[:12] for i in ids] == sorted(i[:12] for i in ids)
    assert moment_ids([]) == []

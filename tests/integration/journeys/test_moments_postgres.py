"""Recovery moments on a real PostgreSQL and on SQLite: the same results, also under races."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from journeys.generate import generate_moments
from journeys.moments import MomentStore
from journeys.report import Thresholds, build_report
from journeys.touchpoints import TouchpointStore
from tests.support.fixtures import Store
from tests.support.moments import (
    AT,
    LAPTOP,
    SHOWER_OIL,
    journey_rows,
    moment_rows,
    snapshot,
    touchpoint_rows,
)
from tests.unit.journeys.reference_settling import (
    awkward_moments,
    differences,
    expected_journeys,
    expected_moments,
)

pytestmark = pytest.mark.integration


async def test_record_score_report_and_export(store: Store) -> None:
    moments = MomentStore(store.engine)
    again = replace(LAPTOP, case_id="100482:missing_item:x", complaint_type="missing_item",
                    created_at=AT + timedelta(days=2))  # fmt: skip
    assert await moments.record_many([LAPTOP, SHOWER_OIL, again, LAPTOP]) == 3
    assert await moments.add_score(LAPTOP.case_id, "csat", 8)
    assert await moments.add_score(SHOWER_OIL.case_id, "nps", 10)
    assert not await moments.add_score("unknown", "csat", 8)
    await TouchpointStore(store.engine).add(
        "confirmation:100482", LAPTOP.customer_id, "100482", phase="purchase",
        type="order_confirmation", channel="email", at=AT - timedelta(days=1), answer=("csat", 9),
    )  # fmt: skip
    rows = {r.case_id: r for r in await moment_rows(store.engine)}
    assert rows[LAPTOP.case_id].recontacted and not rows[again.case_id].recontacted
    assert rows[again.case_id].previous_complaints == 1
    assert len(await touchpoint_rows(store.engine)) == 7
    journeys = {j.order_number: j for j in await journey_rows(store.engine)}
    assert journeys["100517"].nps == 10
    assert journeys["100482"].score is not None
    report = await build_report(store.engine, limits=Thresholds(min_answers=1))
    assert report["recovery_moments"]["overall"]["moments"] == 3
    assert set(report["journeys"]["phases"]) == {"purchase", "consumption"}
    exported = [line async for line in moments.export()]
    assert [line["case_id"] for line in exported] == [LAPTOP.case_id, SHOWER_OIL.case_id,
                                                      again.case_id]  # fmt: skip
    assert exported[0]["csat"] == 8 and exported[0]["recontacted"] is True


async def test_racing_writers_on_shared_journeys_neither_deadlock_nor_diverge(store: Store) -> None:
    """Two replicas write overlapping batches (same customers and orders, other orders of
    cases) at once; the store ends exactly as if one had written everything alone."""
    cases = list(generate_moments(600, seed=2, customers=40, recontact_share=0.3))
    first, second = MomentStore(store.engine), MomentStore(store.rival_engine)
    forward = [cases[i : i + 100] for i in range(0, len(cases), 100)]
    backward = [list(reversed(b)) for b in reversed(forward)]

    async def write(moments: MomentStore, batches: list) -> None:
        for batch in batches:
            await moments.record_many(batch)

    await asyncio.gather(write(first, forward), write(second, backward))
    raced = await snapshot(store.engine)
    assert len(raced["moments"]) == len({m.case_id for m in cases})
    assert len(raced["touchpoints"]) == 2 * len(raced["moments"])
    # Write everything again in one go: nothing is new, and settling changes nothing.
    assert await first.record_many(cases) == 0
    assert await snapshot(store.engine) == raced
    # And the same cases from scratch, in order, settle to the same scores.
    async with store.engine.begin() as conn:
        for table in ("touchpoints", "recovery_moments", "journeys", "customers"):
            await conn.exec_driver_sql(f"DELETE FROM {table}")
    await write(first, forward)
    assert await snapshot(store.engine) == raced


async def test_batches_racing_in_any_order_settle_as_the_formulas_say(store: Store) -> None:
    """The COPY and array paths of PostgreSQL, two writers at once, against the formulas
    applied to all moments at once."""
    moments = awkward_moments()
    batches = [moments[i : i + 80] for i in range(0, len(moments), 80)]
    first, second = MomentStore(store.engine), MomentStore(store.rival_engine)

    async def write(moments: MomentStore, batches: list) -> None:
        for batch in batches:
            await moments.record_many(batch)

    await asyncio.gather(write(first, batches[::2]), write(second, batches[1::2][::-1]))
    stored = await moment_rows(store.engine)
    assert differences(expected_moments(moments), stored, "case_id") == []
    assert differences(expected_journeys(moments), await journey_rows(store.engine), "id") == []

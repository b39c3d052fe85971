"""Recording a recovery moment writes its customer, journey and touchpoints and settles scores."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from journeys import scoring
from journeys.db import create_engine_for
from journeys.moments import MomentStore
from journeys.recording import journey_id
from journeys.touchpoints import TouchpointStore
from tests.support.fixtures import Store, copy_sqlite
from tests.support.moments import (
    AT,
    LAPTOP,
    SHOWER_OIL,
    customer_rows,
    journey_rows,
    moment,
    moment_rows,
    snapshot,
    touchpoint_rows,
)


@pytest.fixture
def moments(sqlite_store: Store) -> MomentStore:
    return MomentStore(sqlite_store.engine)


async def test_a_moment_brings_its_customer_journey_and_two_touchpoints(
    moments: MomentStore, sqlite_store: Store
) -> None:
    await moments.record(LAPTOP)
    engine = sqlite_store.engine
    [customer] = await customer_rows(engine)
    assert (customer.id, customer.segment) == ("cus_0001", "regular")
    [journey] = await journey_rows(engine)
    assert journey.id == journey_id("100482")
    assert (journey.order_number, journey.customer_id) == ("100482", "cus_0001")
    assert (journey.order_value_minor, journey.currency) == (89_900, "EUR")
    failed, recovery = await touchpoint_rows(engine)
    assert (failed.key, failed.phase, failed.type, failed.channel, failed.source) == (
        "100482:late_delivery:abc:failed", "consumption", "delivery", "postnl", "estimated"
    )  # fmt: skip
    assert failed.occurred_at == AT - timedelta(seconds=180)
    assert failed.score == pytest.approx(scoring.failed_score(1.1 / 48))
    assert (recovery.type, recovery.channel, recovery.source) == (
        "complaint_handling", "webchat", "derived"
    )  # fmt: skip
    [row] = await moment_rows(engine)
    assert row.journey_id == journey.id
    assert (row.customer_turns, row.seconds_to_resolution) == (4, 180.0)
    assert (row.resolved, row.facts_confirmed, row.recontacted) == (True, True, False)
    assert row.effectiveness == 1.0
    assert recovery.score == pytest.approx(row.recovery_score)
    assert journey.score == pytest.approx((failed.score + recovery.score) / 2)
    assert row.journey_score_after == pytest.approx(journey.score)
    assert row.uplift == pytest.approx(journey.score - failed.score)
    assert row.failed_score == pytest.approx(failed.score)


async def test_ease_without_a_survey_comes_from_turns_and_waiting(
    moments: MomentStore, sqlite_store: Store
) -> None:
    await moments.record(LAPTOP)
    [row] = await moment_rows(sqlite_store.engine)
    turns, wait = scoring.turns_ease(4), scoring.wait_ease(180)
    assert row.ease == pytest.approx((0.25 * turns + 0.25 * wait) / 0.5)
    assert row.emotion == pytest.approx(scoring.tone_score(-0.6, 0.6))


async def test_a_moment_is_recorded_once_per_case(
    moments: MomentStore, sqlite_store: Store
) -> None:
    await moments.record(LAPTOP)
    before = await snapshot(sqlite_store.engine)
    await moments.record(LAPTOP)
    await moments.record(replace(LAPTOP, customer_turns=9))  # a retry with other details
    assert await moments.record_many([LAPTOP, LAPTOP]) == 0
    assert await snapshot(sqlite_store.engine) == before


async def test_a_callers_moment_without_the_new_fields_still_records(
    moments: MomentStore, sqlite_store: Store
) -> None:
    bare = replace(
        LAPTOP, carrier=None, segment=None, order_value=None, customer_turns=None,
        seconds_to_resolution=None, tone_start=None, tone_end=None,
    )  # fmt: skip
    await moments.record(bare)
    [row] = await moment_rows(sqlite_store.engine)
    assert row.ease is None and row.emotion is None
    assert row.recovery_score == row.effectiveness == 1.0
    [journey] = await journey_rows(sqlite_store.engine)
    assert journey.order_value_minor is None


async def test_scores_move_the_3es_the_touchpoint_and_the_journey(
    moments: MomentStore, sqlite_store: Store
) -> None:
    await moments.record(LAPTOP)
    [before] = await moment_rows(sqlite_store.engine)
    assert await moments.add_score(LAPTOP.case_id, "csat", 3)
    assert await moments.add_score(LAPTOP.case_id, "ces", 2)
    assert await moments.add_score(LAPTOP.case_id, "nps", 4)
    [after] = await moment_rows(sqlite_store.engine)
    assert (after.csat, after.ces, after.nps) == (3, 2, 4)
    assert after.emotion < before.emotion and after.ease < before.ease
    assert after.recovery_score < before.recovery_score
    failed, recovery = await touchpoint_rows(sqlite_store.engine)
    assert (recovery.raw_score, recovery.scale) == (3, "csat")
    assert recovery.score == pytest.approx(after.recovery_score)
    [journey] = await journey_rows(sqlite_store.engine)
    assert journey.nps == 4
    assert failed.journey_nps == recovery.journey_nps == 4  # kept on touchpoints for the report
    assert journey.score == pytest.approx((failed.score + recovery.score) / 2)
    assert after.uplift == pytest.approx(journey.score - failed.score)


async def test_a_score_for_an_unknown_case_or_off_its_scale(moments: MomentStore) -> None:
    assert not await moments.add_score("nobody", "csat", 8)
    with pytest.raises(ValueError, match="ces must be 1-7"):
        await moments.add_score(LAPTOP.case_id, "ces", 9)


async def test_complaining_again_about_the_order_within_two_weeks_is_a_re_contact(
    moments: MomentStore, sqlite_store: Store
) -> None:
    again = replace(LAPTOP, case_id="100482:missing_item:xyz", complaint_type="missing_item",
                    created_at=AT + timedelta(days=3))  # fmt: skip
    much_later = replace(LAPTOP, case_id="100482:other:q", complaint_type="other",
                         created_at=AT + timedelta(days=31))  # fmt: skip
    await moments.record(LAPTOP)
    await moments.record(again)
    await moments.record(much_later)
    first, second, third = await moment_rows(sqlite_store.engine)
    assert (first.recontacted, second.recontacted, third.recontacted) == (True, False, False)
    assert first.effectiveness == pytest.approx(0.7)
    assert (first.previous_complaints, second.previous_complaints) == (0, 1)
    assert third.previous_complaints == 1  # the first one is more than 30 days back
    assert len(await journey_rows(sqlite_store.engine)) == 1
    assert len(await touchpoint_rows(sqlite_store.engine)) == 6
    # The journey after the first recovery only counts what had happened by then.
    assert first.journey_score_after != third.journey_score_after


async def test_the_segment_seen_last_wins_and_nps_is_the_latest_moments(
    moments: MomentStore, sqlite_store: Store
) -> None:
    later = replace(LAPTOP, case_id="c2", segment="vip", nps=9, created_at=AT + timedelta(days=1))
    earlier = replace(LAPTOP, nps=2)
    await moments.record(later)
    await moments.record(earlier)  # arrives late (the outbox): must not win
    [customer] = await customer_rows(sqlite_store.engine)
    assert customer.segment == "vip"
    assert customer.first_seen_at == AT - timedelta(seconds=180)
    [journey] = await journey_rows(sqlite_store.engine)
    assert journey.nps == 9
    assert await moments.add_score(LAPTOP.case_id, "nps", 0)  # an answer on the earlier moment
    [journey] = await journey_rows(sqlite_store.engine)
    assert journey.nps == 9


async def test_a_touchpoint_from_elsewhere_joins_the_journey(
    moments: MomentStore, sqlite_store: Store
) -> None:
    touchpoints = TouchpointStore(sqlite_store.engine)
    await moments.record(LAPTOP)
    added = await touchpoints.add(
        "order-confirmation:100482", "cus_0001", "100482", phase="purchase",
        type="order_confirmation", channel="email", at=AT - timedelta(days=2), score=0.9,
    )  # fmt: skip
    assert added
    assert not await touchpoints.add(
        "order-confirmation:100482", "cus_0001", "100482", phase="purchase", type="x",
        channel=None, at=AT, score=0.1,
    )  # fmt: skip
    [journey] = await journey_rows(sqlite_store.engine)
    rows = {r.key: r for r in await touchpoint_rows(sqlite_store.engine)}
    consumption = (
        rows[f"{LAPTOP.case_id}:failed"].score + rows[f"{LAPTOP.case_id}:recovery"].score
    ) / 2
    assert journey.score == pytest.approx((0.9 + consumption) / 2)
    [row] = await moment_rows(sqlite_store.engine)
    assert row.journey_score_after == pytest.approx(journey.score)
    with pytest.raises(ValueError, match="phase must be one of"):
        await touchpoints.add("k", "c", "1", phase="delivery", type="x", channel=None, at=AT)
    with pytest.raises(ValueError, match="0-1"):
        await touchpoints.add("k", "c", "1", phase="purchase", type="x", channel=None, at=AT,
                              score=8)  # fmt: skip


async def test_a_survey_answer_becomes_a_touchpoint_score(sqlite_store: Store) -> None:
    touchpoints = TouchpointStore(sqlite_store.engine)
    await touchpoints.add("delivery:1", "c", "1", phase="consumption", type="delivery",
                          channel="postnl", at=AT, answer=("csat", 8))  # fmt: skip
    [row] = await touchpoint_rows(sqlite_store.engine)
    assert (row.raw_score, row.scale, row.source) == (8, "csat", "customer")
    assert row.score == pytest.approx(7 / 9)


async def test_moments_from_before_journeys_existed_can_still_be_scored(
    moments: MomentStore, sqlite_store: Store
) -> None:
    await moments.record(LAPTOP)
    async with sqlite_store.engine.begin() as conn:  # as migration 0005 leaves older moments
        await conn.execute(text("UPDATE recovery_moments SET journey_id = NULL"))
    assert await moments.add_score(LAPTOP.case_id, "csat", 7)
    [row] = await moment_rows(sqlite_store.engine)
    assert row.csat == 7


async def test_the_export_carries_every_field(moments: MomentStore) -> None:
    await moments.record(SHOWER_OIL)
    await moments.add_score(SHOWER_OIL.case_id, "csat", 9)
    [line] = [m async for m in moments.export()]
    assert line["decided_by"] == "agent" and line["agent_id"] == "U042"
    assert line["gesture"] == "replacement"  # the biggest of the two
    assert line["amount"] == {"minor": 2845, "currency": "EUR"}
    assert line["order_value"] == {"minor": 2495, "currency": "EUR"}
    assert line["demand"] == {"minor": 1000, "currency": "EUR"}
    assert (line["segment"], line["damage_extent"], line["channel"]) == (
        "vip",
        "partial",
        "whatsapp",
    )
    assert line["csat"] == 9 and line["emotion"] == pytest.approx(8 / 9)
    expected = {
        "case_id", "occurred_at", "customer_id", "order_number", "journey_id", "complaint_type",
        "hours_late", "damage_extent", "order_value", "segment", "channel", "carrier",
        "carrier_evidence", "carrier_status_code", "previous_complaints", "demand", "gesture",
        "amount", "gestures", "decided_by", "agent_id", "mandate_version", "language",
        "customer_turns", "seconds_to_resolution", "csat", "ces", "nps", "tone_start",
        "tone_end", "resolved", "facts_confirmed", "recontacted", "effectiveness", "ease",
        "emotion", "recovery_score", "failed_score", "journey_score_after", "uplift",
        "outcome", "close_reason", "revision",
    }  # fmt: skip
    assert set(line) == expected
    assert (line["outcome"], line["revision"]) == ("gesture", 0)


# --- the same moments give the same store, whatever order and batches they come in --------

CASES = [
    moment(1),
    moment(2, customer_id="cus_0001", created_at=AT + timedelta(days=2), nps=8, csat=9),
    moment(3, order_number="200001", customer_id="cus_0001", case_id="200001:other:3",
           complaint_type="other", created_at=AT + timedelta(days=5), segment="vip", nps=3),
    moment(4, customer_id="cus_0001", created_at=AT + timedelta(days=40)),
    replace(SHOWER_OIL, customer_id="cus_0001", created_at=AT + timedelta(days=20)),
    moment(6, order_number="200001", customer_id="cus_0001", case_id="200001:late:6",
           created_at=AT + timedelta(days=25), ces=2),
]  # fmt: skip


def _record_all(url: str, batches: list[list[Any]]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        engine = create_engine_for(url)
        try:
            store = MomentStore(engine)
            for batch in batches:
                await store.record_many(batch)
            return await snapshot(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(len(CASES))), cuts=st.sets(st.integers(1, len(CASES) - 1)))
def test_order_and_batching_do_not_change_what_is_stored(
    order: list[int], cuts: set[int], sqlite_template: Path
) -> None:
    shuffled = [CASES[i] for i in order]
    edges = [0, *sorted(cuts), len(CASES)]
    batches = [shuffled[a:b] for a, b in itertools.pairwise(edges)]
    with tempfile.TemporaryDirectory() as folder:
        expected = _record_all(copy_sqlite(sqlite_template, Path(folder)), [CASES])
        assert _record_all(copy_sqlite(sqlite_template, Path(folder)), batches) == expected


async def test_a_later_outcome_revises_the_cases_moment_and_its_journey(
    sqlite_store: Store,
) -> None:
    store = MomentStore(sqlite_store.engine)
    offered = moment(1, gestures=(), outcome="offered", resolved=False, revision=1)
    await store.record(offered)
    await store.add_score(offered.case_id, "csat", 3)
    granted = replace(moment(1), outcome="gesture", revision=2)
    await store.record(granted)
    await store.record(offered)  # late from an outbox: the earlier revision does not come back
    [row] = await moment_rows(sqlite_store.engine)
    assert (row.outcome, row.revision, row.resolved, row.csat) == ("gesture", 2, True, None)
    assert row.amount_minor == 1000
    assert len(await touchpoint_rows(sqlite_store.engine)) == 2  # the moment's two, once

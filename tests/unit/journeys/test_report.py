"""The journey report: sums per group in SQL, rolled up exactly; seed 001's four quadrants."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from journeys.moments import MomentStore
from journeys.report import Thresholds, build_report, render_report
from journeys.touchpoints import TouchpointStore
from tests.support.fixtures import Store
from tests.support.moments import AT, LAPTOP, SHOWER_OIL, moment, moment_rows

# type: (satisfied touchpoints, their NPS, unsatisfied ones, their NPS, scores)
TRUTHS = {
    "unboxing": (4, 10, 2, 3, (0.95, 0.5)),  # liked, and it moves NPS: amplify
    "delivery": (2, 10, 4, 0, (0.8, 0.2)),  # disliked, and it moves NPS: fix first
    "order_confirmation": (4, 8, 2, 8, (0.9, 0.5)),  # liked, NPS does not care: overserving
    "invoice": (2, 8, 4, 8, (0.8, 0.3)),  # disliked, NPS does not care: improve
}


async def _journeys_with_touchpoints(store: TouchpointStore) -> None:
    n = 0
    for kind, (sat, sat_nps, unsat, unsat_nps, (high, low)) in TRUTHS.items():
        for count, nps, score in ((sat, sat_nps, high), (unsat, unsat_nps, low)):
            for _ in range(count):
                n += 1
                order, customer = f"9{n:05d}", f"cus_t{n}"
                await store.add(f"{kind}:{order}", customer, order, phase="consumption",
                                type=kind, channel=None, at=AT, score=score)  # fmt: skip
                await store.add(f"nps:{order}", customer, order, phase="evaluation",
                                type="nps_survey", channel="email", at=AT + timedelta(days=1),
                                answer=("nps", nps))  # fmt: skip
    await store.add("review:1", "cus_r", "800001", phase="evaluation", type="review_request",
                    channel="email", at=AT, score=0.6)  # fmt: skip


async def test_touchpoint_types_sort_into_the_four_quadrants(sqlite_store: Store) -> None:
    await _journeys_with_touchpoints(TouchpointStore(sqlite_store.engine))
    report = await build_report(sqlite_store.engine, limits=Thresholds(min_answers=2))
    found = {t["type"]: t for t in report["moments_of_truth"]}
    assert {k: v["quadrant"] for k, v in found.items()} == {
        "unboxing": "amplify",
        "delivery": "fix_first",
        "order_confirmation": "overserving",
        "invoice": "improve",
        "review_request": "unknown",  # no NPS on its journey
    }
    assert [t["type"] for t in report["moments_of_truth"]] == [
        "delivery",
        "unboxing",
        "invoice",
        "order_confirmation",
        "review_request",
    ]  # the moments of truth first, fix first leading
    unboxing = found["unboxing"]
    assert unboxing["satisfaction"] == pytest.approx((4 * 0.95 + 2 * 0.5) / 6)
    assert (unboxing["nps_satisfied"], unboxing["nps_unsatisfied"]) == (100.0, -100.0)
    assert unboxing["impact"] == 200.0 and unboxing["moment_of_truth"]
    assert (unboxing["answers_satisfied"], unboxing["answers_unsatisfied"]) == (4, 2)
    assert found["order_confirmation"]["impact"] == 0.0
    assert not found["invoice"]["moment_of_truth"]
    assert "nps_survey" not in found  # the NPS question is not a moment to weigh against NPS
    strict = await build_report(sqlite_store.engine)  # 10 answers a side by default
    assert {t["quadrant"] for t in strict["moments_of_truth"]} == {"unknown"}


async def test_moments_roll_up_by_complaint_level_channel_language_and_mandate(
    sqlite_store: Store,
) -> None:
    moments = MomentStore(sqlite_store.engine)
    laptop_2 = replace(
        moment(2), decided_by="lead:U7", csat=4, nps=10, language="en", mandate_version="draft2"
    )
    await moments.record_many([LAPTOP, SHOWER_OIL, laptop_2])
    await moments.add_score(LAPTOP.case_id, "csat", 8)
    await moments.add_score(LAPTOP.case_id, "nps", 3)
    report = await build_report(sqlite_store.engine)
    rows = {r.case_id: r for r in await moment_rows(sqlite_store.engine)}
    overall = report["recovery_moments"]["overall"]
    assert overall["moments"] == 3
    assert overall["csat"] == pytest.approx(6.0)
    assert overall["nps"] == 0.0 and overall["nps_answers"] == 2  # one promoter, one detractor
    assert overall["effectiveness"] == pytest.approx(
        sum(r.effectiveness for r in rows.values()) / 3
    )
    assert overall["uplift"] == pytest.approx(sum(r.uplift for r in rows.values()) / 3)
    assert overall["cost"] == [{"minor": 1000 + 2845 + 1000, "currency": "EUR", "text": "€48.45"}]
    assert overall["seconds_to_resolution"] == pytest.approx(180.0)  # the oil has none
    by_complaint = report["recovery_moments"]["by_complaint"]
    assert by_complaint["late_delivery"]["moments"] == 2
    assert by_complaint["damaged_product"]["cost"][0]["minor"] == 2845
    assert list(report["recovery_moments"]["by_level"]) == ["bot", "agent", "lead"]
    rolled = report["recovery_moments"]
    assert {k: v["moments"] for k, v in rolled["by_channel"].items()} == {
        "webchat": 2,  # the laptops
        "whatsapp": 1,  # the shower oil
    }
    assert {k: v["moments"] for k, v in rolled["by_language"].items()} == {"en": 1, "nl": 2}
    assert rolled["by_language"]["en"]["csat"] == pytest.approx(4.0)
    by_mandate = rolled["by_mandate_version"]
    assert {k: v["moments"] for k, v in by_mandate.items()} == {LAPTOP.mandate_version: 2,
                                                                 "draft2": 1}  # fmt: skip
    journeys = report["journeys"]
    assert journeys["journeys"] == 3 and journeys["nps_answers"] == 2
    assert journeys["phases"]["consumption"]["touchpoints"] == 6
    text = render_report(report)
    assert "decided by lead" in text and "€48.45" in text
    assert "in en" in text and "mandate draft2" in text and f"on {SHOWER_OIL.channel}" in text


async def test_since_leaves_older_moments_out(sqlite_store: Store) -> None:
    moments = MomentStore(sqlite_store.engine)
    await moments.record_many([LAPTOP, replace(moment(1), created_at=AT + timedelta(days=10))])
    report = await build_report(sqlite_store.engine, since=AT + timedelta(days=1))
    assert report["recovery_moments"]["overall"]["moments"] == 1
    assert report["journeys"]["phases"]["consumption"]["touchpoints"] == 2
    empty = await build_report(sqlite_store.engine, since=AT + timedelta(days=100))
    assert empty["recovery_moments"]["overall"]["moments"] == 0
    assert empty["recovery_moments"]["overall"]["effectiveness"] is None
    assert "Journeys: 0" in render_report(empty)


async def test_every_outcome_is_a_moment_in_the_report_not_only_the_gestures(
    sqlite_store: Store,
) -> None:
    store = MomentStore(sqlite_store.engine)
    facts = moment(1, gestures=(), outcome="facts", resolved=True)
    offered = moment(2, gestures=(), outcome="offered", resolved=False)
    closed = moment(3, gestures=(), outcome="closed", resolved=True, decided_by="agent:U1",
                    close_reason="found at the neighbours")  # fmt: skip
    given = moment(4)
    await store.record_many([facts, offered, closed, given])
    report = (await build_report(sqlite_store.engine))["recovery_moments"]
    assert {k: v["moments"] for k, v in report["by_outcome"].items()} == {
        "closed": 1,
        "facts": 1,
        "gesture": 1,
        "offered": 1,
    }
    assert report["overall"]["resolved_share"] == pytest.approx(3 / 4)
    assert (
        report["by_outcome"]["offered"]["effectiveness"]
        < report["by_outcome"]["facts"]["effectiveness"]
    )
    assert "came to: closed by a person" in render_report(await build_report(sqlite_store.engine))

"""What the journey store must hold, computed the straightforward way: from every moment at
once, with the formulas of journeys.scoring and docs/scores.md, nothing incremental. The store
settles in batches, in any order, with shortcuts; the tests compare the two."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from journeys import scoring
from journeys.generate import generate_moments
from journeys.moment import RecoveryMoment
from journeys.recording import HISTORY_WINDOW, journey_id

TOLERANCE = 1e-12  # sums in another order may differ in the last bit


def _failed(m: RecoveryMoment) -> float:
    sev = scoring.severity(
        m.complaint_type,
        hours_late=m.hours_late,
        damage_extent=m.damage_extent,
        carrier_evidence=m.carrier_evidence,
    )
    return scoring.failed_score(sev)


def _inputs(m: RecoveryMoment) -> scoring.MomentInputs:
    return scoring.MomentInputs(
        resolved=m.is_resolved,
        facts_confirmed=m.has_facts,
        customer_turns=m.customer_turns,
        seconds_to_resolution=m.seconds_to_resolution,
        csat=m.csat,
        ces=m.ces,
        nps=m.nps,
        tone_start=m.tone_start,
        tone_end=m.tone_end,
    )


def _touchpoints(
    moments: Iterable[RecoveryMoment], recovery: dict[str, float]
) -> list[scoring.Scored]:
    """A journey's touchpoints: each moment's failed one and its recovery one."""
    touchpoints = []
    for m in moments:
        failed_at = m.created_at - timedelta(seconds=m.seconds_to_resolution or 0)
        touchpoints.append(scoring.Scored("consumption", failed_at, _failed(m)))
        touchpoints.append(scoring.Scored("consumption", m.created_at, recovery[m.case_id]))
    return touchpoints


def expected_moments(moments: Iterable[RecoveryMoment]) -> dict[str, dict[str, Any]]:
    """case id -> the settled columns of its moment (first moment of a case wins)."""
    cases: dict[str, RecoveryMoment] = {}
    for m in moments:
        cases.setdefault(m.case_id, m)
    by_order: dict[str, list[RecoveryMoment]] = defaultdict(list)
    by_customer: dict[str, list[RecoveryMoment]] = defaultdict(list)
    for m in cases.values():
        by_order[m.order_number].append(m)
        by_customer[m.customer_id].append(m)
    scores = {}
    for m in cases.values():
        recontacted = any(
            timedelta(0) < o.created_at - m.created_at <= scoring.RECONTACT_WINDOW
            for o in by_order[m.order_number]
        )
        scores[m.case_id] = (recontacted, scoring.score_moment(_inputs(m), recontacted=recontacted))
    recovery = {case: s.score for case, (_, s) in scores.items()}
    out = {}
    for m in cases.values():
        recontacted, s = scores[m.case_id]
        touchpoints = _touchpoints(by_order[m.order_number], recovery)
        after = scoring.journey_score_at(touchpoints, m.created_at)
        out[m.case_id] = {
            "journey_id": journey_id(m.order_number),
            "recontacted": recontacted,
            "previous_complaints": sum(
                1
                for o in by_customer[m.customer_id]
                if m.created_at - HISTORY_WINDOW <= o.created_at < m.created_at
            ),
            "effectiveness": s.effectiveness,
            "ease": s.ease,
            "emotion": s.emotion,
            "recovery_score": s.score,
            "failed_score": _failed(m),
            "journey_score_after": after,
            "uplift": scoring.uplift(after, _failed(m)),
        }
    return out


def expected_journeys(moments: Iterable[RecoveryMoment]) -> dict[str, dict[str, Any]]:
    """journey id -> its score and NPS (the answer on its latest moment that has one)."""
    cases: dict[str, RecoveryMoment] = {}
    for m in moments:
        cases.setdefault(m.case_id, m)
    settled = expected_moments(cases.values())
    recovery = {case: values["recovery_score"] for case, values in settled.items()}
    by_journey: dict[str, list[RecoveryMoment]] = defaultdict(list)
    for m in cases.values():
        by_journey[journey_id(m.order_number)].append(m)
    out = {}
    for jid, ms in by_journey.items():
        touchpoints = _touchpoints(ms, recovery)
        answered = [m for m in ms if m.nps is not None]
        latest = max(answered, key=lambda m: m.created_at, default=None)
        out[jid] = {
            "score": scoring.journey_score(scoring.phase_scores(touchpoints)),
            "nps": None if latest is None else latest.nps,
        }
    return out


def differences(
    expected: dict[str, dict[str, Any]], stored: Sequence[Any], key: str
) -> list[tuple[str, str, Any, Any]]:
    """(row, column, expected, stored) wherever a stored row differs from what was expected."""
    found = []
    rows = {getattr(row, key): row for row in stored}
    assert set(rows) == set(expected), "other rows than expected"
    for name, values in expected.items():
        for column, want in values.items():
            got = getattr(rows[name], column)
            if isinstance(want, float) and isinstance(got, float):
                same = abs(want - got) <= TOLERANCE
            else:
                same = want == got
            if not same:
                found.append((name, column, want, got))
    return found


def awkward_moments() -> list[RecoveryMoment]:
    """Generated moments with re-contacts and shared customers, and the odd cases: negative
    or unknown waiting, no gesture, two moments at the same instant, a very long order."""
    moments = list(generate_moments(600, seed=4, customers=60, recontact_share=0.3))
    first = moments[10]
    moments[11] = replace(moments[11], seconds_to_resolution=-50.0)
    moments[12] = replace(moments[12], seconds_to_resolution=None, customer_turns=None,
                          tone_start=None, tone_end=None)  # fmt: skip
    moments[13] = replace(moments[13], gestures=(), resolved=None)
    moments[14] = replace(first, case_id="same-instant", complaint_type="other")
    moments[15] = replace(moments[15], order_number="9" * 40, case_id="long-order")
    return moments

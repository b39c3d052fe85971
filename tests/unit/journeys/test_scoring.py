"""The score formulas of docs/scores.md: worked examples, then bounds and monotonicity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeys import scoring
from journeys.scoring import MomentInputs, Quadrant, Scored

T0 = datetime(2026, 11, 22, 12, tzinfo=UTC)

unit = st.floats(0, 1, allow_nan=False)
maybe_unit = st.none() | unit
tone = st.floats(-1, 1, allow_nan=False)
turns = st.integers(0, 60)
seconds = st.floats(0, 10 * 86_400, allow_nan=False)
csat = st.integers(1, 10)
ces = st.integers(1, 7)
nps = st.integers(0, 10)


def inputs() -> st.SearchStrategy[MomentInputs]:
    return st.builds(
        MomentInputs,
        resolved=st.booleans(),
        facts_confirmed=st.booleans(),
        recontacted=st.booleans(),
        customer_turns=st.none() | turns,
        seconds_to_resolution=st.none() | seconds,
        csat=st.none() | csat,
        ces=st.none() | ces,
        nps=st.none() | nps,
        tone_start=st.none() | tone,
        tone_end=st.none() | tone,
    )


# --- worked examples (the ones docs/scores.md shows) --------------------------------------


def test_the_laptop_fixed_in_four_turns_and_three_minutes_scores_high() -> None:
    m = MomentInputs(
        resolved=True,
        facts_confirmed=True,
        customer_turns=4,
        seconds_to_resolution=180,
        csat=9,
        ces=6,
        tone_start=-0.6,
        tone_end=0.6,
    )
    s = scoring.score_moment(m)
    assert s.effectiveness == 1.0
    assert s.ease == pytest.approx(0.5 * 5 / 6 + 0.25 * 1 + 0.25 * scoring.wait_ease(180))
    assert s.emotion == pytest.approx((0.5 * 8 / 9 + 0.25 * (0.5 * 0.8 + 0.5 * 0.8)) / 0.75)
    assert s.score == pytest.approx(0.5 + 0.3 * s.ease + 0.2 * s.emotion)
    assert s.score == pytest.approx(0.942, abs=5e-4)  # as docs/scores.md shows


def test_no_emotion_without_the_basics() -> None:
    """Delighted but not fixed: emotion counts only as far as effectiveness holds."""
    unfixed = MomentInputs(resolved=False, facts_confirmed=False, csat=10, ces=7, nps=10)
    s = scoring.score_moment(unfixed, recontacted=True)
    assert s.effectiveness == 0.0 and s.emotion == 1.0 and s.ease == 1.0
    assert s.score == 0.0


def test_a_re_contact_costs_a_third_of_effectiveness() -> None:
    m = MomentInputs(resolved=True, facts_confirmed=True)
    assert scoring.score_moment(m).effectiveness == 1.0
    assert scoring.score_moment(m, recontacted=True).effectiveness == pytest.approx(0.7)


def test_unmeasured_layers_drop_out_of_the_score() -> None:
    assert scoring.moment_score(0.7, None, None) == pytest.approx(0.7)
    assert scoring.moment_score(1.0, 0.5, None) == pytest.approx((0.5 + 0.3 * 0.5) / 0.8)


def test_survey_scales_map_to_zero_one() -> None:
    assert scoring.scaled("csat", 1) == 0 and scoring.scaled("csat", 10) == 1
    assert scoring.scaled("ces", 4) == pytest.approx(0.5)
    assert scoring.scaled("nps", 7) == pytest.approx(0.7)
    assert scoring.scaled("nps", None) is None
    with pytest.raises(ValueError, match="csat must be 1-10"):
        scoring.scaled("csat", 0)


def test_waiting_is_log_scaled_between_two_minutes_and_a_day() -> None:
    assert scoring.wait_ease(60) == 1.0
    assert scoring.wait_ease(120) == 1.0
    assert scoring.wait_ease(86_400) == 0.0
    ten_minutes, two_hours = scoring.wait_ease(600), scoring.wait_ease(7200)
    assert ten_minutes == pytest.approx(1 - 0.2446, abs=1e-3)
    assert scoring.wait_ease(120 * 10) - scoring.wait_ease(120 * 100) == pytest.approx(
        scoring.wait_ease(120) - scoring.wait_ease(120 * 10)
    )
    assert 0 < two_hours < ten_minutes


@given(st.floats() | st.integers(-3, 3) | st.sampled_from([0.0, -0.0, 1.0, 1 - 1e-16]))
def test_clamp_is_min_of_one_and_max_of_zero(value: float) -> None:
    plain = min(1.0, max(0.0, value))  # what clamp stands for, NaN and -0.0 included
    assert repr(scoring.clamp(value)) == repr(plain)


def test_failed_touchpoints_score_by_severity() -> None:
    assert scoring.severity("late_delivery", hours_late=1.1) == pytest.approx(1.1 / 48)
    assert scoring.severity("late_delivery", hours_late=96) == 1.0
    assert scoring.severity("late_delivery") == 0.5
    assert scoring.severity("damaged_product", damage_extent="unusable") == 1.0
    assert scoring.severity("damaged_product", damage_extent="cosmetic") == 0.3
    assert scoring.severity("missing_item", carrier_evidence="lost") == 1.0
    assert scoring.failed_score(0.0) == scoring.FAILED_CEILING
    assert scoring.failed_score(1.0) == 0.0


def test_phases_weigh_the_same_however_many_touchpoints_they_hold() -> None:
    touchpoints = [
        Scored("purchase", T0, 0.9),
        Scored("consumption", T0, 0.1),
        Scored("consumption", T0, 0.3),
        Scored("consumption", T0, 0.2),
        Scored("evaluation", T0, None),  # not scored: no phase score
    ]
    phases = scoring.phase_scores(touchpoints)
    assert phases == pytest.approx({"purchase": 0.9, "consumption": 0.2})
    assert scoring.journey_score(phases) == pytest.approx(0.55)
    assert scoring.journey_score({}) is None


def test_the_uplift_is_the_journey_after_the_recovery_against_the_failure() -> None:
    failed = Scored("consumption", T0, 0.2)
    recovery = Scored("consumption", T0 + timedelta(minutes=5), 0.9)
    later = Scored("evaluation", T0 + timedelta(days=3), 0.0)
    after = scoring.journey_score_at([failed, recovery, later], recovery.at)
    assert after == pytest.approx(0.55)  # the later touchpoint does not count
    assert scoring.uplift(after, 0.2) == pytest.approx(0.35)
    assert scoring.uplift(None, 0.2) is None


def test_nps_and_its_impact() -> None:
    assert scoring.nps(6, 2, 10) == 40.0
    assert scoring.nps(0, 0, 0) is None
    assert scoring.nps_impact((8, 1, 10), (2, 6, 10)) == 110.0
    assert scoring.nps_impact((8, 1, 10), (2, 6, 9)) is None  # too few answers on one side
    assert scoring.nps_impact((8, 1, 10), (2, 6, 9), min_answers=5) == pytest.approx(
        70 - (2 - 6) / 9 * 100
    )


@pytest.mark.parametrize(
    ("satisfaction", "impact", "expected"),
    [
        (0.4, 5.0, Quadrant.IMPROVE),
        (0.9, 5.0, Quadrant.OVERSERVING),
        (0.4, 45.0, Quadrant.FIX_FIRST),
        (0.9, 45.0, Quadrant.AMPLIFY),
        (0.9, None, Quadrant.UNKNOWN),
        (None, 30.0, Quadrant.UNKNOWN),
        (0.7, 20.0, Quadrant.AMPLIFY),  # the thresholds themselves count as high
    ],
)
def test_the_four_quadrants_of_seed_001(
    satisfaction: float | None, impact: float | None, expected: Quadrant
) -> None:
    assert scoring.quadrant(satisfaction, impact) is expected
    assert (expected in scoring.MOMENTS_OF_TRUTH) == (
        expected in (Quadrant.FIX_FIRST, Quadrant.AMPLIFY)
    )


# --- properties ---------------------------------------------------------------------------


@given(inputs())
def test_every_score_stays_within_zero_and_one(m: MomentInputs) -> None:
    s = scoring.score_moment(m)
    for value in (s.effectiveness, s.ease, s.emotion, s.score):
        assert value is None or 0.0 <= value <= 1.0


@given(inputs())
def test_the_score_never_exceeds_effectiveness_and_reaches_it_when_all_is_well(
    m: MomentInputs,
) -> None:
    s = scoring.score_moment(m)
    assert s.score <= s.effectiveness + 1e-12
    top = scoring.moment_score(s.effectiveness, 1.0, 1.0)
    assert top == pytest.approx(s.effectiveness)


@given(st.booleans(), st.booleans(), st.booleans())
def test_effectiveness_grows_with_each_basic(resolved: bool, facts: bool, again: bool) -> None:
    def eff(r: bool, f: bool, a: bool) -> float:
        return scoring.effectiveness(resolved=r, facts_confirmed=f, recontacted=a)

    base = eff(resolved, facts, again)
    assert base <= eff(True, facts, again)
    assert base <= eff(resolved, True, again)
    assert base <= eff(resolved, facts, False)


@given(st.none() | ces, turns, turns, seconds, seconds)
def test_ease_falls_with_turns_and_waiting(
    c: int | None, t1: int, t2: int, s1: float, s2: float
) -> None:
    fewer, more = sorted((t1, t2))
    shorter, longer = sorted((s1, s2))
    assert scoring.ease(ces=c, turns=fewer, seconds=shorter) >= scoring.ease(  # type: ignore[operator]
        ces=c, turns=more, seconds=longer
    )


@given(ces, ces, st.none() | turns, st.none() | seconds)
def test_ease_rises_with_ces(a: int, b: int, t: int | None, s: float | None) -> None:
    low, high = sorted((a, b))
    assert scoring.ease(ces=low, turns=t, seconds=s) <= scoring.ease(  # type: ignore[operator]
        ces=high, turns=t, seconds=s
    )


@given(csat, csat, st.none() | nps, st.none() | tone, st.none() | tone)
def test_emotion_rises_with_csat(
    a: int, b: int, n: int | None, start: float | None, end: float | None
) -> None:
    low, high = sorted((a, b))
    lower = scoring.emotion(csat=low, nps=n, tone_start=start, tone_end=end)
    higher = scoring.emotion(csat=high, nps=n, tone_start=start, tone_end=end)
    assert lower is not None and higher is not None and lower <= higher


@given(nps, nps, st.none() | csat)
def test_emotion_rises_with_nps(a: int, b: int, c: int | None) -> None:
    low, high = sorted((a, b))
    lower = scoring.emotion(csat=c, nps=low, tone_start=None, tone_end=None)
    higher = scoring.emotion(csat=c, nps=high, tone_start=None, tone_end=None)
    assert lower is not None and higher is not None and lower <= higher


@given(tone, tone, tone)
def test_a_warmer_end_and_a_colder_start_both_mean_more_emotion(
    start: float, a: float, b: float
) -> None:
    cold, warm = sorted((a, b))
    assert scoring.tone_score(start, cold) <= scoring.tone_score(start, warm)  # type: ignore[operator]
    assert scoring.tone_score(warm, start) <= scoring.tone_score(cold, start)  # type: ignore[operator]


@given(unit, unit, maybe_unit, maybe_unit, maybe_unit, maybe_unit)
def test_the_pyramid_is_monotone_in_every_layer(
    e1: float, e2: float, ease: float | None, ease2: float | None, felt: float | None,
    felt2: float | None,
) -> None:  # fmt: skip
    low, high = sorted((e1, e2))
    assert scoring.moment_score(low, ease, felt) <= scoring.moment_score(high, ease, felt) + 1e-12
    if ease is not None and ease2 is not None:
        a, b = sorted((ease, ease2))
        assert scoring.moment_score(low, a, felt) <= scoring.moment_score(low, b, felt) + 1e-12
    if felt is not None and felt2 is not None:
        a, b = sorted((felt, felt2))
        assert scoring.moment_score(low, ease, a) <= scoring.moment_score(low, ease, b) + 1e-12


@given(st.floats(0, 500, allow_nan=False), st.floats(0, 500, allow_nan=False))
def test_a_later_parcel_is_a_worse_failure(a: float, b: float) -> None:
    sooner, later = sorted((a, b))
    early = scoring.failed_score(scoring.severity("late_delivery", hours_late=sooner))
    late = scoring.failed_score(scoring.severity("late_delivery", hours_late=later))
    assert 0 <= late <= early <= scoring.FAILED_CEILING


phases = st.sampled_from(scoring.PHASES)


@given(st.lists(st.tuples(phases, maybe_unit), max_size=12))
def test_the_journey_score_lies_between_its_worst_and_best_touchpoint(
    points: list[tuple[str, float | None]],
) -> None:
    touchpoints = [Scored(phase, T0, score) for phase, score in points]
    journey = scoring.journey_score(scoring.phase_scores(touchpoints))
    scores = [s for _, s in points if s is not None]
    if not scores:
        assert journey is None
    else:
        assert journey is not None
        assert min(scores) - 1e-12 <= journey <= max(scores) + 1e-12


@given(st.lists(st.tuples(phases, unit), max_size=8), unit, unit, unit)
def test_a_better_recovery_never_lowers_the_uplift(
    others: list[tuple[str, float]], failed: float, r1: float, r2: float
) -> None:
    worse, better = sorted((r1, r2))
    base = [Scored(p, T0, s) for p, s in others] + [Scored("consumption", T0, failed)]

    def lift(recovery: float) -> float:
        after = scoring.journey_score_at([*base, Scored("consumption", T0, recovery)], T0)
        value = scoring.uplift(after, failed)
        assert value is not None and -1 <= value <= 1
        return value

    assert lift(worse) <= lift(better) + 1e-12


@given(
    st.tuples(st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.integers(0, 50), st.integers(0, 50)),
    st.integers(0, 50),
    st.integers(0, 50),
)
def test_nps_lies_within_plus_minus_a_hundred_and_impact_within_two_hundred(
    sat: tuple[int, int], unsat: tuple[int, int], extra_sat: int, extra_unsat: int
) -> None:
    pleased = (sat[0], sat[1], sat[0] + sat[1] + extra_sat)
    displeased = (unsat[0], unsat[1], unsat[0] + unsat[1] + extra_unsat)
    for side in (pleased, displeased):
        value = scoring.nps(*side)
        assert value is None or -100 <= value <= 100
    impact = scoring.nps_impact(pleased, displeased, min_answers=1)
    assert impact is None or -200 <= impact <= 200

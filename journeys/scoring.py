"""Journey scores as pure functions: the 3E's of a recovery moment, roll-ups, uplift, quadrants.

Every score is a float in [0, 1] (1 is best) or None when nothing was measured. The formulas
and the reasons for them are in docs/scores.md; keep the two in step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

PHASES = ("orientation", "consideration", "purchase", "consumption", "evaluation")
SCALES = {"csat": (1, 10), "ces": (1, 7), "nps": (0, 10)}

# Effectiveness: the basics. Weights sum to 1.
W_RESOLVED, W_FACTS, W_NO_RECONTACT = 0.4, 0.3, 0.3
RECONTACT_WINDOW = timedelta(days=14)  # another complaint on the same order this soon: not fixed
# Ease: what the customer says (CES) weighs most; turns and waiting are what we can count.
W_CES, W_TURNS, W_WAIT = 0.5, 0.25, 0.25
EASY_TURNS, HARD_TURNS = 4, 16  # complaint, order number, postcode, yes: 4 turns is the floor
EASY_SECONDS, HARD_SECONDS = 120.0, 86_400.0  # two minutes is excellent; a day is as bad as it gets
# Emotion: the grade (CSAT) weighs most; NPS where asked; the change in tone.
W_CSAT, W_NPS, W_TONE = 0.5, 0.25, 0.25
# The pyramid: each layer counts only as far as the one below it holds.
W_LAYER = (0.5, 0.3, 0.2)  # effectiveness, ease, emotion
# A failed touchpoint is never scored above this, however mild the failure.
FAILED_CEILING = 0.4
LATE_HOURS_WORST = 48.0
DAMAGE_SEVERITY = {"cosmetic": 0.3, "partial": 0.6, "unusable": 1.0}
COMPLAINT_SEVERITY = {"missing_item": 0.8, "wrong_item": 0.8, "other": 0.5}
# Moments of truth (seed 001): where "high" starts on each axis.
SATISFIED = 0.7  # a touchpoint scored at least this counts as satisfied
HIGH_IMPACT = 20.0  # NPS points between satisfied and unsatisfied journeys
MIN_ANSWERS = 10  # NPS answers needed on each side before impact is computed


def clamp(value: float) -> float:
    """value within [0, 1]: min(1.0, max(0.0, value)) (NaN and -0.0 give 0.0), by comparisons,
    a third of the cost: it runs several times for every moment settled."""
    if value > 0.0:
        return 1.0 if value >= 1.0 else value
    return 0.0


def weighted(parts: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the parts that were measured; None when none was."""
    total = weight = 0.0
    for value, w in parts:
        if value is not None:
            total += value * w
            weight += w
    return clamp(total / weight) if weight else None


def scaled(scale: str, score: int | None) -> float | None:
    """A survey answer on its scale (csat 1-10, ces 1-7, nps 0-10) as 0-1."""
    if score is None:
        return None
    low, high = SCALES[scale]
    if not low <= score <= high:
        raise ValueError(f"{scale} must be {low}-{high}, got {score}")
    return (score - low) / (high - low)


# --- the 3E's of one recovery moment -----------------------------------------------------


def effectiveness(*, resolved: bool, facts_confirmed: bool, recontacted: bool) -> float:
    """It works: fixed (a gesture carried out), on checked facts, and the customer stayed away."""
    return clamp(
        W_RESOLVED * resolved + W_FACTS * facts_confirmed + W_NO_RECONTACT * (not recontacted)
    )


def turns_ease(turns: int | None) -> float | None:
    if turns is None:
        return None
    return clamp(1 - (turns - EASY_TURNS) / (HARD_TURNS - EASY_TURNS))


def wait_ease(seconds: float | None) -> float | None:
    """Log-scaled: the step from 2 to 20 minutes hurts as much as from 20 minutes to 3 hours."""
    if seconds is None:
        return None
    if seconds <= EASY_SECONDS:
        return 1.0
    return clamp(1 - math.log(seconds / EASY_SECONDS) / math.log(HARD_SECONDS / EASY_SECONDS))


def ease(*, ces: int | None, turns: int | None, seconds: float | None) -> float | None:
    return weighted(
        ((scaled("ces", ces), W_CES), (turns_ease(turns), W_TURNS), (wait_ease(seconds), W_WAIT))
    )


def tone_score(start: float | None, end: float | None) -> float | None:
    """Tone runs -1 (angry) to +1 (glad): half where the customer ended, half how far they moved."""
    if end is None:
        return None
    end = max(-1.0, min(1.0, end))
    where = (end + 1) / 2
    if start is None:
        return where
    start = max(-1.0, min(1.0, start))
    return clamp(0.5 * where + 0.5 * (end - start + 2) / 4)


def emotion(
    *, csat: int | None, nps: int | None, tone_start: float | None, tone_end: float | None
) -> float | None:
    return weighted(
        (
            (scaled("csat", csat), W_CSAT),
            (scaled("nps", nps), W_NPS),
            (tone_score(tone_start, tone_end), W_TONE),
        )
    )


def moment_score(effective: float, easy: float | None, felt: float | None) -> float:
    """The pyramid: ease counts only up to effectiveness, emotion only up to ease (or, unmeasured
    ease, effectiveness). Unmeasured layers drop out and the weights are renormalised."""
    layers: list[tuple[float | None, float]] = [(effective, W_LAYER[0])]
    floor = effective
    if easy is not None:
        floor = min(easy, floor)
        layers.append((floor, W_LAYER[1]))
    if felt is not None:
        layers.append((min(felt, floor), W_LAYER[2]))
    score = weighted(layers)
    assert score is not None  # effectiveness is always measured
    return score


@dataclass(frozen=True, slots=True)
class MomentInputs:
    """What scoring reads from a recovery moment."""

    resolved: bool
    facts_confirmed: bool
    recontacted: bool = False
    customer_turns: int | None = None
    seconds_to_resolution: float | None = None
    csat: int | None = None
    ces: int | None = None
    nps: int | None = None
    tone_start: float | None = None
    tone_end: float | None = None


@dataclass(frozen=True, slots=True)
class MomentScores:
    effectiveness: float
    ease: float | None
    emotion: float | None
    score: float  # the recovery touchpoint's score


def score_moment(m: MomentInputs, *, recontacted: bool | None = None) -> MomentScores:
    """The 3E's and the moment's score; recontacted, when given, overrides m.recontacted."""
    again = m.recontacted if recontacted is None else recontacted
    eff = effectiveness(resolved=m.resolved, facts_confirmed=m.facts_confirmed, recontacted=again)
    easy = ease(ces=m.ces, turns=m.customer_turns, seconds=m.seconds_to_resolution)
    felt = emotion(csat=m.csat, nps=m.nps, tone_start=m.tone_start, tone_end=m.tone_end)
    return MomentScores(eff, easy, felt, moment_score(eff, easy, felt))


# --- the failed touchpoint ----------------------------------------------------------------


def severity(
    complaint_type: str,
    *,
    hours_late: float | None = None,
    damage_extent: str | None = None,
    carrier_evidence: str | None = None,
) -> float:
    """How bad the failure was, 0-1: lateness against two days, damage by extent, a loss is 1."""
    if carrier_evidence == "lost":
        return 1.0
    if complaint_type == "late_delivery":
        return 0.5 if hours_late is None else clamp(max(hours_late, 0.0) / LATE_HOURS_WORST)
    if complaint_type == "damaged_product":
        return DAMAGE_SEVERITY.get(damage_extent or "", 0.6)
    return COMPLAINT_SEVERITY.get(complaint_type, 0.5)


def failed_score(sev: float) -> float:
    """The failed touchpoint's score when the customer did not grade it: 0.4 down to 0."""
    return FAILED_CEILING * (1 - clamp(sev))


# --- roll-ups -----------------------------------------------------------------------------


class Touch(Protocol):
    """What the roll-ups read of a touchpoint (Scored, or the journey store's own state)."""

    @property
    def phase(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def score(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Scored:
    """One touchpoint as the roll-up sees it."""

    phase: str
    at: datetime
    score: float | None


def phase_scores(touchpoints: Iterable[Touch]) -> dict[str, float]:
    """Mean score per phase, over the touchpoints that have a score."""
    sums: dict[str, list[float]] = {}
    for t in touchpoints:
        if t.score is not None:
            sums.setdefault(t.phase, []).append(t.score)
    return {phase: sum(v) / len(v) for phase, v in sums.items()}


def journey_score(phases: Mapping[str, float]) -> float | None:
    """Every phase the customer went through weighs the same, however many touchpoints it has."""
    return sum(phases.values()) / len(phases) if phases else None


def journey_score_at(touchpoints: Iterable[Touch], at: datetime) -> float | None:
    """The journey's score counting only touchpoints up to and including `at`."""
    return journey_score(phase_scores(t for t in touchpoints if t.at <= at))


def uplift(journey_after: float | None, failed: float | None) -> float | None:
    """The journey's score right after the recovery minus the failed touchpoint's: -1 to +1."""
    if journey_after is None or failed is None:
        return None
    return journey_after - failed


# --- NPS and moments of truth -------------------------------------------------------------


def nps(promoters: int, detractors: int, answers: int) -> float | None:
    """Net Promoter Score, -100 to +100: promoters (9-10) minus detractors (0-6), in percent."""
    return 100.0 * (promoters - detractors) / answers if answers else None


class Quadrant(StrEnum):
    """Seed 001's four kinds of moments, by satisfaction and impact on NPS."""

    IMPROVE = "improve"  # low satisfaction, low impact
    OVERSERVING = "overserving"  # high satisfaction, low impact: cheaper is fine
    FIX_FIRST = "fix_first"  # low satisfaction, high impact: a moment of truth that hurts
    AMPLIFY = "amplify"  # high satisfaction, high impact: let more customers live it
    UNKNOWN = "unknown"  # too few NPS answers to tell the impact


MOMENTS_OF_TRUTH = frozenset({Quadrant.FIX_FIRST, Quadrant.AMPLIFY})


def nps_impact(
    satisfied: tuple[int, int, int],
    unsatisfied: tuple[int, int, int],
    min_answers: int = MIN_ANSWERS,
) -> float | None:
    """NPS of journeys where the touchpoint satisfied minus where it did not, in NPS points.

    Each side is (promoters, detractors, answers); None when a side has too few answers.
    """
    if satisfied[2] < min_answers or unsatisfied[2] < min_answers:
        return None
    high, low = nps(*satisfied), nps(*unsatisfied)
    assert high is not None and low is not None
    return high - low


def quadrant(
    satisfaction: float | None,
    impact: float | None,
    *,
    satisfied: float = SATISFIED,
    high_impact: float = HIGH_IMPACT,
) -> Quadrant:
    if satisfaction is None or impact is None:
        return Quadrant.UNKNOWN
    pleased, weighs = satisfaction >= satisfied, impact >= high_impact
    if weighs:
        return Quadrant.AMPLIFY if pleased else Quadrant.FIX_FIRST
    return Quadrant.OVERSERVING if pleased else Quadrant.IMPROVE

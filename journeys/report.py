"""`herstel journeys report`: journey scores, recovery moments and moments of truth.

Computed with SQL aggregates (sums and counts per group, a handful of groups), so the work
stays in the database and the answer is small whatever the number of moments. Averages are
derived from the sums in Python, which also rolls the groups up into totals exactly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from herstel.money import Money
from journeys import scoring
from journeys.db import READ_ONLY
from journeys.recording import J, M, T

# Per-moment measures the report averages (over the moments that have them).
MEASURES = (
    "effectiveness",
    "ease",
    "emotion",
    "recovery_score",
    "failed_score",
    "journey_score_after",
    "uplift",
    "csat",
    "ces",
    "customer_turns",
    "seconds_to_resolution",
)


WORK_MEM = "64MB"  # per query, for the report's transactions only


@dataclass(frozen=True, slots=True)
class Thresholds:
    satisfied: float = scoring.SATISFIED
    high_impact: float = scoring.HIGH_IMPACT
    min_answers: int = scoring.MIN_ANSWERS


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _nps_parts(column: Any, condition: ColumnElement[bool] | None = None) -> list[Any]:
    """answers, promoters, detractors of an NPS column (optionally where condition holds)."""
    parts = [column.is_not(None), column >= 9, column <= 6]
    if condition is not None:
        parts = [condition & p for p in parts]
    return [_count_if(p) for p in parts]


# What moments are grouped by (the report rolls the groups up per dimension), currency first.
_GROUPS = (
    "currency",
    "complaint_type",
    "decided_level",
    "channel",
    "language",
    "mandate_version",
    "outcome",
)
_BREAKDOWNS = {
    "by_outcome": "outcome",
    "by_complaint": "complaint_type",
    "by_level": "decided_level",
    "by_channel": "channel",
    "by_language": "language",
    "by_mandate_version": "mandate_version",
}
_LEVELS = ("bot", "agent", "lead")


def _moment_query(since: datetime | None) -> Any:
    keys = [M.c[name] for name in _GROUPS]
    columns: list[Any] = [*keys, func.count()]
    for name in MEASURES:
        columns += [func.sum(M.c[name]), func.count(M.c[name])]
    columns += _nps_parts(M.c.nps)
    columns += [func.sum(M.c.amount_minor), _count_if(M.c.recontacted), _count_if(M.c.resolved)]
    query = select(*columns).group_by(*keys)
    return query.where(M.c.created_at >= since) if since is not None else query


def _journey_query(since: datetime | None) -> Any:
    query = select(func.count(), func.count(J.c.score), func.sum(J.c.score), *_nps_parts(J.c.nps))
    return query.where(J.c.updated_at >= since) if since is not None else query


def _touchpoint_query(since: datetime | None, satisfied: float) -> Any:
    """One scan of the touchpoints for phases and moments of truth: per phase, type and
    whether it is the NPS question itself, the scores and the NPS of the journeys where the
    touchpoint satisfied and where it did not (journey_nps is kept on each touchpoint)."""
    question = case((T.c.scale == "nps", 1), else_=0).label("question")
    pleased = T.c.score >= satisfied
    displeased = T.c.score < satisfied
    query = select(
        T.c.phase,
        T.c.type,
        question,
        func.count(),
        func.count(T.c.score),
        func.sum(T.c.score),
        *_nps_parts(T.c.journey_nps, pleased),
        *_nps_parts(T.c.journey_nps, displeased),
    ).group_by(T.c.phase, T.c.type, question)
    return query.where(T.c.occurred_at >= since) if since is not None else query


class _Sums:
    """Sums and counts of one group of moments; adds up into totals."""

    def __init__(self) -> None:
        self.count = 0
        self.sums = dict.fromkeys(MEASURES, 0.0)
        self.counts = dict.fromkeys(MEASURES, 0)
        self.nps = [0, 0, 0]  # answers, promoters, detractors
        self.cost: dict[str, int] = {}
        self.recontacted = 0
        self.resolved = 0

    def add(self, row: Any) -> None:
        values = list(row)[len(_GROUPS) :]
        self.count += values[0]
        for i, name in enumerate(MEASURES):
            self.sums[name] += float(values[1 + 2 * i] or 0)
            self.counts[name] += values[2 + 2 * i]
        rest = values[1 + 2 * len(MEASURES) :]
        for i in range(3):
            self.nps[i] += int(rest[i] or 0)
        currency = row[0]
        self.cost[currency] = self.cost.get(currency, 0) + int(rest[3] or 0)
        self.recontacted += int(rest[4] or 0)
        self.resolved += int(rest[5] or 0)

    def as_json(self) -> dict[str, Any]:
        answers, promoters, detractors = self.nps
        data: dict[str, Any] = {"moments": self.count}
        for name in MEASURES:
            data[name] = self.sums[name] / self.counts[name] if self.counts[name] else None
        data["nps"] = scoring.nps(promoters, detractors, answers)
        data["nps_answers"] = answers
        data["recontacted_share"] = self.recontacted / self.count if self.count else None
        data["resolved_share"] = self.resolved / self.count if self.count else None
        data["cost"] = [
            {"minor": minor, "currency": cur, "text": Money(minor, cur).format()}
            for cur, minor in sorted(self.cost.items())
        ]
        return data


def _rolled_up(rows: Iterable[Any]) -> dict[str, Any]:
    overall = _Sums()
    groups: dict[str, dict[str, _Sums]] = {name: {} for name in _BREAKDOWNS}
    for row in rows:
        overall.add(row)
        for name, column in _BREAKDOWNS.items():
            key = row[_GROUPS.index(column)] or "unknown"
            groups[name].setdefault(str(key), _Sums()).add(row)
    rolled: dict[str, Any] = {"overall": overall.as_json()}
    for name, found in groups.items():
        order = [k for k in _LEVELS if k in found] if name == "by_level" else sorted(found)
        rolled[name] = {k: found[k].as_json() for k in order}
    return rolled


def _phases(rows: Iterable[Any]) -> dict[str, dict[str, Any]]:
    sums: dict[str, list[float]] = {}
    for phase, _, _, count, scored, total, *_ in rows:
        found = sums.setdefault(phase, [0, 0, 0.0])
        found[0] += count
        found[1] += scored
        found[2] += float(total or 0)
    return {
        phase: {"touchpoints": int(v[0]), "score": v[2] / v[1] if v[1] else None}
        for phase in scoring.PHASES
        if (v := sums.get(phase))
    }


def _truths(rows: Iterable[Any], limits: Thresholds) -> list[dict[str, Any]]:
    by_type: dict[str, list[float]] = {}
    for _, kind, question, _, scored, total, *nps in rows:
        if question:  # the NPS question is not a moment to weigh against NPS
            continue
        found = by_type.setdefault(kind, [0.0] * 8)
        for i, value in enumerate([scored, total, *nps]):
            found[i] += float(value or 0)
    truths = []
    for kind, (scored, total, *counts) in by_type.items():
        satisfaction = total / scored if scored else None
        nps = [int(c) for c in counts]
        pleased = (nps[1], nps[2], nps[0])
        displeased = (nps[4], nps[5], nps[3])
        impact = scoring.nps_impact(pleased, displeased, limits.min_answers)
        where = scoring.quadrant(
            satisfaction, impact, satisfied=limits.satisfied, high_impact=limits.high_impact
        )
        truths.append(
            {
                "type": kind,
                "touchpoints": int(scored),
                "satisfaction": satisfaction,
                "nps_satisfied": scoring.nps(*pleased),
                "nps_unsatisfied": scoring.nps(*displeased),
                "answers_satisfied": pleased[2],
                "answers_unsatisfied": displeased[2],
                "impact": impact,
                "quadrant": where.value,
                "moment_of_truth": where in scoring.MOMENTS_OF_TRUTH,
            }
        )
    return sorted(truths, key=lambda t: (_ORDER.index(t["quadrant"]), t["type"]))


# The moments of truth first, the ones that hurt leading; then the rest.
_ORDER = ["fix_first", "amplify", "improve", "overserving", "unknown"]


async def _read(engine: AsyncEngine, query: Any) -> list[Any]:
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{READ_ONLY: True})
        if engine.dialect.name == "postgresql":  # hash joins and aggregates in memory
            await conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        return list((await conn.execute(query)).all())


async def _read_all(engine: AsyncEngine, queries: list[Any]) -> list[list[Any]]:
    if engine.dialect.name == "sqlite":  # one file: no gain from parallel readers
        return [await _read(engine, q) for q in queries]
    return list(await asyncio.gather(*(_read(engine, q) for q in queries)))


async def build_report(
    engine: AsyncEngine, since: datetime | None = None, limits: Thresholds | None = None
) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    limits = limits or Thresholds()
    moments, touchpoints, journeys = await _read_all(
        engine,
        [
            _moment_query(since),
            _touchpoint_query(since, limits.satisfied),
            _journey_query(since),
        ],
    )
    [(count, scored, total, answers, promoters, detractors)] = journeys
    return {
        "since": since.isoformat() if since else None,
        "thresholds": {
            "satisfied": limits.satisfied,
            "high_impact": limits.high_impact,
            "min_answers": limits.min_answers,
        },
        "recovery_moments": _rolled_up(moments),
        "journeys": {
            "journeys": count,
            "score": float(total) / scored if scored else None,
            "nps": scoring.nps(int(promoters or 0), int(detractors or 0), int(answers or 0)),
            "nps_answers": int(answers or 0),
            "phases": _phases(touchpoints),
        },
        "moments_of_truth": _truths(touchpoints, limits),
    }


# --- the human form ----------------------------------------------------------------------


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(
        h.ljust(widths[i]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(header)
    )
    out = [line, "-" * len(line)]
    for row in rows:
        out.append(
            "  ".join(
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)
            )
        )
    return out


def _moment_row(name: str, g: dict[str, Any]) -> list[str]:
    cost = ", ".join(c["text"] for c in g["cost"]) or "-"
    return [
        name.replace("_", " "),
        str(g["moments"]),
        _num(g["effectiveness"]),
        _num(g["ease"]),
        _num(g["emotion"]),
        _num(g["recovery_score"]),
        _signed(g["uplift"]),
        _num(g["csat"], 1),
        _num(g["ces"], 1),
        _num(g["nps"], 0),
        _num(g["customer_turns"], 1),
        _num(None if g["seconds_to_resolution"] is None else g["seconds_to_resolution"] / 60, 1),
        cost,
    ]


_MOMENT_HEADER = [
    "",
    "moments",
    "eff",
    "ease",
    "emotion",
    "score",
    "uplift",
    "csat",
    "ces",
    "nps",
    "turns",
    "minutes",
    "cost",
]
_OUTCOME_TEXT = {
    "facts": "came to: the facts",
    "offered": "came to: an offer",
    "declined": "came to: declined",
    "gesture": "came to: a gesture",
    "closed": "came to: closed by a person",
}
_QUADRANT_TEXT = {
    "improve": "improve",
    "overserving": "overserving (cheaper is fine)",
    "fix_first": "fix first (moment of truth)",
    "amplify": "amplify (moment of truth)",
    "unknown": "unknown (too few NPS answers)",
}


def render_report(report: dict[str, Any]) -> str:
    moments = report["recovery_moments"]
    journeys = report["journeys"]
    since = report["since"] or "the beginning"
    lines = [f"Journey report since {since}", "", "Recovery moments (3E's and scores 0-1)"]
    rows = [_moment_row("all", moments["overall"])]
    rows += [_moment_row(_OUTCOME_TEXT.get(k, k), v) for k, v in moments["by_outcome"].items()]
    rows += [_moment_row(k, v) for k, v in moments["by_complaint"].items()]
    rows += [_moment_row(f"decided by {k}", v) for k, v in moments["by_level"].items()]
    rows += [_moment_row(f"on {k}", v) for k, v in moments["by_channel"].items()]
    rows += [_moment_row(f"in {k}", v) for k, v in moments["by_language"].items()]
    rows += [_moment_row(f"mandate {k}", v) for k, v in moments["by_mandate_version"].items()]
    lines += _table(_MOMENT_HEADER, rows)
    lines += [
        "",
        f"Journeys: {journeys['journeys']}, score {_num(journeys['score'])}, "
        f"NPS {_num(journeys['nps'], 0)} ({journeys['nps_answers']} answers)",
    ]
    phase_rows = [
        [phase, str(v["touchpoints"]), _num(v["score"])] for phase, v in journeys["phases"].items()
    ]
    lines += _table(["phase", "touchpoints", "score"], phase_rows)
    t = report["thresholds"]
    lines += [
        "",
        f"Moments of truth (satisfied: score >= {t['satisfied']}; high impact: NPS "
        f"difference >= {t['high_impact']:g} points, with >= {t['min_answers']} answers a side)",
    ]
    truth_rows = [
        [
            m["type"].replace("_", " "),
            str(m["touchpoints"]),
            _num(m["satisfaction"]),
            _num(m["nps_satisfied"], 0),
            _num(m["nps_unsatisfied"], 0),
            _num(m["impact"], 0),
            _QUADRANT_TEXT[m["quadrant"]],
        ]
        for m in report["moments_of_truth"]
    ]
    lines += _table(
        ["touchpoint type", "scored", "satisfaction", "nps sat", "nps unsat", "impact", "quadrant"],
        truth_rows,
    )
    if "outbox" in report:
        box = report["outbox"]
        lines += ["", f"Outbox: {box['pending']} waiting, {box['dead']} refused by the store"]
    return "\n".join(lines)

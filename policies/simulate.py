"""Replay past recovery moments under a draft and the current policy, and compare them."""

# What a replayed case is assumed to get (the same assumptions for both policies):
# * if the decision does not need a person, the bot hands out the apology, the unasked gestures
#   it may grant and, when the customer named an amount, its pick toward that demand; with no
#   unasked gesture and no demand it grants the first ladder step it may;
# * otherwise an agent does the same at agent level, or a lead when the agent may grant nothing;
# * day and month budgets fill up as the replay moves through time (in shop time, Amsterdam).

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, TextIO

from herstel.clock import AMSTERDAM
from herstel.money import Money
from policies.case import BudgetUsage
from policies.compiled import fast_money
from policies.concepts import ComplaintType, GestureKind, Level
from policies.decision import Decision, Offer, pick_for_demand
from policies.engine import decide
from policies.mandate import Mandate
from policies.parity import parity
from policies.parity import render as render_parity
from policies.replay import RecoveryRecord


@dataclass(slots=True)
class Tally:
    """What one policy would have done for a set of cases."""

    cases: int = 0
    cost: int = 0  # minor units
    by_bot: int = 0
    escalated: int = 0
    gestures: Counter[str] = field(default_factory=Counter)

    def add(self, granted: Sequence[Offer], bot: bool) -> None:
        self.cases += 1
        self.by_bot += bot
        self.escalated += not bot
        gestures = self.gestures
        for o in granted:
            self.cost += o.cost.minor
            gestures[o.kind] += 1

    def merge(self, other: Tally) -> None:
        self.cases += other.cases
        self.cost += other.cost
        self.by_bot += other.by_bot
        self.escalated += other.escalated
        self.gestures.update(other.gestures)

    def share(self, part: int) -> float:
        return part / self.cases if self.cases else 0.0

    def to_dict(self, currency: str) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "cost": _money(self.cost, currency),
            "bot_share": round(self.share(self.by_bot), 4),
            "escalated_share": round(self.share(self.escalated), 4),
            "gestures": dict(sorted(self.gestures.items())),
        }


@dataclass(slots=True)
class Run:
    """One policy over all replayed cases, per complaint type and overall."""

    policy: str
    version: str
    currency: str
    overall: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: {t: Tally() for t in ComplaintType})

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": {"name": self.policy, "version": self.version},
            "overall": self.overall.to_dict(self.currency),
            "by_complaint": {t: v.to_dict(self.currency) for t, v in self.by_type.items()},
        }


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": minor, "currency": currency, "text": Money(minor, currency).format()}


def granted(decision: Decision) -> tuple[tuple[Offer, ...], bool]:
    """What the case would get under the assumptions above, and whether the bot settled it."""
    if not decision.needs_escalation:
        given = grant_at(decision, 0)
        if given:
            return given, True
    given = grant_at(decision, 1)
    if any(o.kind is not _APOLOGY for o in given):
        return given, False
    return grant_at(decision, 2), False


_APOLOGY = GestureKind.APOLOGY


def grant_at(decision: Decision, rank: int) -> tuple[Offer, ...]:
    """The apology, the unasked gestures and the demand's pick (else the first step) at rank."""
    chosen: list[Offer] = []
    first_step = None
    remedy = False
    for o in decision.gestures:
        if o.level.rank > rank:
            continue
        if o.unasked or o.kind is _APOLOGY:
            chosen.append(o)
            remedy = remedy or o.kind is not _APOLOGY
        elif first_step is None:
            first_step = o
    demand = decision.demand
    pick = None if demand is None else pick_for_demand(decision.gestures, demand, rank)
    if pick is not None and pick not in chosen:
        chosen.append(pick)
    elif pick is None and not remedy and first_step is not None:
        chosen.append(first_step)
    return tuple(chosen)


class _Budget:
    """Spending per shop day and month as the replay moves through time."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.days: dict[date, tuple[int, dict[str, Money]]] = {}
        self.months: dict[tuple[int, int], tuple[int, dict[str, Money]]] = {}
        self.views: dict[int, MappingProxyType[str, Money]] = {}  # one read-only view per dict

    def usage(self, day: date) -> BudgetUsage:
        d_total, d_kind = self.days.get(day, _NOTHING)
        m_total, m_kind = self.months.get((day.year, day.month), _NOTHING)
        cur = self.currency
        # The engine only reads these during the call, so the live dicts are passed as views.
        return BudgetUsage(
            fast_money(d_total, cur),
            fast_money(m_total, cur),
            self._view(d_kind),
            self._view(m_kind),
        )

    def _view(self, kinds: dict[str, Money]) -> MappingProxyType[str, Money]:
        view = self.views.get(id(kinds))
        if view is None:
            view = self.views[id(kinds)] = MappingProxyType(kinds)
        return view

    def spend(self, day: date, offers: Sequence[Offer]) -> None:
        self.days[day] = self._add(self.days.get(day), offers)
        month = (day.year, day.month)
        self.months[month] = self._add(self.months.get(month), offers)

    def _add(
        self, spent: tuple[int, dict[str, Money]] | None, offers: Sequence[Offer]
    ) -> tuple[int, dict[str, Money]]:
        total, kinds = spent or (0, {})
        for o in offers:
            cost = o.cost.minor
            if cost:
                total += cost
                before = kinds.get(o.kind)
                kinds[o.kind] = fast_money(cost + (before.minor if before else 0), self.currency)
        return total, kinds


_NOTHING: tuple[int, dict[str, Money]] = (0, {})  # read-only: spend() never writes into it


def shop_days(records: Sequence[RecoveryRecord]) -> list[date]:
    """The shop's calendar day of each record: budgets are per Amsterdam day and month."""
    return [r.occurred_at.astimezone(AMSTERDAM).date() for r in records]


def replay(
    records: Sequence[RecoveryRecord],
    mandate: Mandate,
    *,
    days: Sequence[date] | None = None,
    tick: Callable[[int], None] | None = None,
) -> Run:
    """Decide every record (in time order) under the mandate; tick(n) reports progress."""
    run = Run(mandate.name, mandate.version, mandate.policy.currency)
    budget = _Budget(mandate.policy.currency)
    days = shop_days(records) if days is None else days
    by_type = run.by_type
    for n, (record, day) in enumerate(zip(records, days, strict=True), 1):
        case = record.to_case(budget.usage(day))
        given, bot = granted(decide(case, mandate, now=record.occurred_at))
        budget.spend(day, given)
        by_type[record.complaint_type].add(given, bot)
        if tick is not None and n % 1000 == 0:
            tick(1000)
    if tick is not None:
        tick(len(records) % 1000)
    for tally in by_type.values():  # the overall tally is the sum of the per-type ones
        run.overall.merge(tally)
    return run


def recorded(records: Sequence[RecoveryRecord]) -> dict[str, Any]:
    """What actually happened, for context: cost and share decided by the bot."""

    def summary(rows: list[RecoveryRecord]) -> dict[str, Any]:
        cost = sum(r.amount.minor for r in rows if r.amount is not None)
        bot = sum(r.decided_by is Level.BOT for r in rows)
        currency = rows[0].order_value.currency if rows else "EUR"
        return {
            "cases": len(rows),
            "cost": _money(cost, currency),
            "bot_share": round(bot / len(rows), 4) if rows else 0.0,
        }

    by_type = {
        str(t): summary([r for r in records if r.complaint_type == t]) for t in ComplaintType
    }
    return {"overall": summary(list(records)), "by_complaint": by_type}


def difference(draft: Run, current: Run) -> dict[str, Any]:
    """Draft minus current: money, share points, gesture counts."""

    def diff(d: Tally, c: Tally) -> dict[str, Any]:
        kinds = sorted(set(d.gestures) | set(c.gestures))
        return {
            "cost": _money(d.cost - c.cost, draft.currency),
            "bot_share": round(d.share(d.by_bot) - c.share(c.by_bot), 4),
            "escalated_share": round(d.share(d.escalated) - c.share(c.escalated), 4),
            "gestures": {k: d.gestures[k] - c.gestures[k] for k in kinds},
        }

    return {
        "overall": diff(draft.overall, current.overall),
        "by_complaint": {t: diff(draft.by_type[t], current.by_type[t]) for t in draft.by_type},
    }


def compare(
    records: Sequence[RecoveryRecord],
    draft: Mandate,
    current: Mandate,
    *,
    tick: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    if draft.policy.currency != current.policy.currency:
        raise ValueError("draft and current policy use different currencies")
    days = shop_days(records)
    draft_run = replay(records, draft, days=days, tick=tick)
    current_run = replay(records, current, days=days, tick=tick)
    return {
        "cases": len(records),
        "draft": draft_run.to_dict(),
        "current": current_run.to_dict(),
        "recorded": recorded(records),
        "difference": difference(draft_run, current_run),
        "parity": parity(records, current),
    }


class Progress:
    """A one-line progress bar on stderr; silent unless enabled."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total, self.done, self.enabled = max(total, 1), 0, enabled
        self.stream = stream or sys.stderr
        self._shown = -1

    def __call__(self, n: int) -> None:
        self.done += n
        percent = min(100, self.done * 100 // self.total)
        if self.enabled and percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\rreplaying [{bar:<25}] {percent:3d}% {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def render_text(result: dict[str, Any]) -> str:
    """Current vs draft vs difference (and what was recorded), overall, then per complaint."""
    d, c = result["draft"], result["current"]
    lines = [
        f"Replayed {result['cases']} case(s) from {result.get('source', '-')}",
        f"  current: {c['policy']['name']} ({c['policy']['version']})",
        f"  draft:   {d['policy']['name']} ({d['policy']['version']})",
    ]
    if "parity" in result:
        lines.append(render_parity(result["parity"]))
    lines += _section("overall", result, ("overall",))
    for kind in d["by_complaint"]:
        lines += _section(kind, result, ("by_complaint", kind))
    return "\n".join(lines)


def _section(title: str, result: dict[str, Any], path: tuple[str, ...]) -> list[str]:
    def pick(part: dict[str, Any]) -> dict[str, Any]:
        for key in path:
            part = part[key]
        return part

    cur, dra, dif, rec = (pick(result[k]) for k in ("current", "draft", "difference", "recorded"))
    if not cur["cases"]:
        return []
    shares = [
        (name, key, rec.get(key))
        for name, key in (("settled by the bot", "bot_share"), ("escalated", "escalated_share"))
    ]
    lines = [
        "",
        f"{title.replace('_', ' ')} ({cur['cases']} cases)",
        _row("", "current", "draft", "difference", "recorded"),
        _row(
            "cost",
            cur["cost"]["text"],
            dra["cost"]["text"],
            _signed(dif["cost"]),
            rec["cost"]["text"],
        ),
    ]
    for name, key, recorded_share in shares:
        lines.append(
            _row(
                name,
                _pct(cur[key]),
                _pct(dra[key]),
                _points(dif[key]),
                "" if recorded_share is None else _pct(recorded_share),
            )
        )
    for kind, change in dif["gestures"].items():
        lines.append(
            _row(
                f"  {kind.replace('_', ' ')}",
                str(cur["gestures"].get(kind, 0)),
                str(dra["gestures"].get(kind, 0)),
                f"{change:+d}",
                "",
            )
        )
    return lines


def _row(name: str, *cells: str) -> str:
    return f"  {name:<22}" + "".join(f"{cell:>14}" for cell in cells)


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _points(delta: float) -> str:
    return f"{delta * 100:+.1f} pt"


def _signed(money: dict[str, Any]) -> str:
    return ("+" if money["minor"] >= 0 else "-") + Money(
        abs(money["minor"]), money["currency"]
    ).format()


__all__ = ["Progress", "Run", "Tally", "compare", "granted", "render_text", "replay"]

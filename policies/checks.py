"""Static checks of a mandate: rules that never match, ambiguous overlaps, incoherent caps."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from herstel.money import Money
from policies.compiled import (
    FIXED,
    ITEM,
    NO_CAP,
    ORDER,
    PERCENT,
    SHIPPING,
    UNKNOWN_HOURS,
    CompiledRule,
    Step,
    hours_bounds,
    money_bounds,
    percent_of,
)
from policies.concepts import (
    LEVELS,
    CarrierEvidence,
    Channel,
    ComplaintType,
    DamageExtent,
    GestureKind,
    Segment,
)
from policies.errors import PolicyError
from policies.loader import format_path
from policies.mandate import Mandate
from policies.model import Rule

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}: {self.severity}:{field} {self.message}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `herstel policies check` says of one mandate, line by line."""

    mandate: Mandate | None  # None when it could not be loaded
    errors: list[str]
    warnings: list[str]


def verdict(load: Callable[[], Mandate]) -> Verdict:
    """Load a mandate and check it; problems and findings worded as the checker prints them."""
    try:
        mandate = load()
    except PolicyError as exc:
        errors = [
            f"{p.file}:{p.line or '?'}: error: {f'{p.path}: ' if p.path else ''}{p.message}"
            for p in exc.problems
        ]
        return Verdict(None, errors, [])
    findings = check_mandate(mandate)
    return Verdict(
        mandate,
        [str(f) for f in findings if f.severity == "error"],
        [str(f) for f in findings if f.severity == "warning"],
    )


def check_mandate(mandate: Mandate) -> list[Finding]:
    """Every finding, errors and warnings, in file order within each kind of check."""
    return [
        *_never_match(mandate),
        *_overlaps(mandate),
        *_caps_rise_with_level(mandate),
        *_caps_within_budgets(mandate),
        *_ladders_cheapest_first(mandate),
        *_steps_within_their_level(mandate),
    ]


def _finding(m: Mandate, severity: Severity, path: tuple[str | int, ...], message: str) -> Finding:
    return Finding(severity, m.source, m.line_of(*path), format_path(path), message)


def _money(minor: int, m: Mandate) -> str:
    return "no limit" if minor >= NO_CAP else Money(minor, m.policy.currency).format()


# --- rules that can never match ------------------------------------------------------


def _never_match(m: Mandate) -> Iterator[Finding]:
    for i, rule in enumerate(m.policy.rules):
        where = ("rules", i, "match")
        match = rule.match
        for key in ("complaint", "damage", "segment", "channel", "evidence"):
            if getattr(match, key) == ():
                yield _finding(m, "error", (*where, key), "empty list: this rule can never match")
        bounds = hours_bounds(match.hours_late)
        if bounds is not None and bounds != UNKNOWN_HOURS and not _interval(*bounds):
            yield _finding(
                m,
                "error",
                (*where, "hours_late"),
                "contradictory range: no number of hours fits, the rule never matches",
            )
        low, high = money_bounds(match.order_value)
        if low > high:
            yield _finding(
                m,
                "error",
                (*where, "order_value"),
                "contradictory range: no order value fits, the rule never matches",
            )
        if match.active_from and match.active_until and match.active_from > match.active_until:
            yield _finding(
                m,
                "error",
                (*where, "active_until"),
                "active_until is before active_from: the rule is never active",
            )
        damaged = match.complaint is None or ComplaintType.DAMAGED_PRODUCT in match.complaint
        if match.damage and not damaged:
            yield _finding(
                m,
                "warning",
                (*where, "damage"),
                "damage is only known for damaged_product complaints; "
                "this rule will not match other complaints",
            )


def _interval(low: float, low_strict: bool, high: float, high_strict: bool) -> bool:
    """Whether the range holds any number."""
    return low < high or (low == high and not low_strict and not high_strict)


# --- overlapping rules ------------------------------------------------------------------


_DOMAINS: dict[str, frozenset[str]] = {
    "complaint": frozenset(ComplaintType),
    "damage": frozenset([*DamageExtent, "(none)"]),  # a case may not know the damage
    "segment": frozenset(Segment),
    "channel": frozenset(Channel),
    "evidence": frozenset(CarrierEvidence),
}
_Hours = tuple[float, bool, float, bool, bool]  # low, low_strict, high, high_strict, none_ok


@dataclass(frozen=True, slots=True)
class Space:
    """The set of cases a rule matches, one dimension at a time."""

    sets: dict[str, frozenset[str]]
    hours: _Hours
    value: tuple[int, int]
    previous: tuple[int, int]
    active: tuple[date, date]

    @classmethod
    def of(cls, rule: Rule) -> Space:
        m = rule.match
        sets = {
            k: frozenset(getattr(m, k)) if getattr(m, k) is not None else d
            for k, d in _DOMAINS.items()
        }
        b = hours_bounds(m.hours_late)
        if b is None:
            hours: _Hours = (-math.inf, False, math.inf, False, True)
        else:
            hours = (*b, b == UNKNOWN_HOURS)
        low, high = money_bounds(m.order_value)
        previous = (0, NO_CAP if m.max_previous_complaints is None else m.max_previous_complaints)
        active = (m.active_from or date.min, m.active_until or date.max)
        return cls(sets, hours, (max(low, 0), high), previous, active)

    def intersect(self, other: Space) -> Space | None:
        sets = {k: v & other.sets[k] for k, v in self.sets.items()}
        hours = _hours_and(self.hours, other.hours)
        value = (max(self.value[0], other.value[0]), min(self.value[1], other.value[1]))
        prev = (0, min(self.previous[1], other.previous[1]))
        active = (max(self.active[0], other.active[0]), min(self.active[1], other.active[1]))
        empty = (
            any(not v for v in sets.values())
            or not (_interval(*hours[:4]) or hours[4])
            or value[0] > value[1]
            or active[0] > active[1]
        )
        return None if empty else Space(sets, hours, value, prev, active)

    def within(self, other: Space) -> bool:
        return (
            all(v <= other.sets[k] for k, v in self.sets.items())
            and _hours_within(self.hours, other.hours)
            and other.value[0] <= self.value[0]
            and self.value[1] <= other.value[1]
            and self.previous[1] <= other.previous[1]
            and other.active[0] <= self.active[0]
            and self.active[1] <= other.active[1]
        )

    def example(self, currency: str) -> str:
        """A case in this space, in words, so a CX manager sees what the overlap means."""
        parts = [", ".join(sorted(self.sets["complaint"])[:2])]
        if not self.hours[4]:
            parts.append(f"{max(self.hours[0], 0):g}+ hours late")
        elif not _interval(*self.hours[:4]):
            parts.append("hours late unknown")
        if self.value != (0, NO_CAP):
            parts.append(f"order {Money(self.value[0], currency).format()}")
        for key in ("damage", "segment", "channel", "evidence"):
            if self.sets[key] != _DOMAINS[key]:
                parts.append(f"{key} {sorted(self.sets[key])[0]}")
        return "; ".join(parts)


def _hours_and(a: _Hours, b: _Hours) -> _Hours:
    low, low_strict = max((a[0], a[1]), (b[0], b[1]))  # equal bounds: strict wins
    high, high_strict = min((a[2], not a[3]), (b[2], not b[3]))
    return (low, low_strict, high, not high_strict, a[4] and b[4])


def _hours_within(a: _Hours, b: _Hours) -> bool:
    if a[4] and not b[4]:
        return False
    if not _interval(*a[:4]):
        return True
    low_ok = b[0] < a[0] or (b[0] == a[0] and (a[1] or not b[1]))
    high_ok = a[2] < b[2] or (a[2] == b[2] and (a[3] or not b[3]))
    return low_ok and high_ok


def _overlaps(m: Mandate) -> Iterator[Finding]:
    rules = m.policy.rules
    spaces = [Space.of(r) for r in rules]
    for j, later in enumerate(rules):
        for i in range(j):
            both = spaces[i].intersect(spaces[j])
            if both is None:
                continue
            path, earlier = ("rules", j, "id"), rules[i].id
            if spaces[j].within(spaces[i]):
                yield _finding(
                    m,
                    "warning",
                    path,
                    f"rule '{later.id}' is never used: rule "
                    f"'{earlier}' above it matches every case it matches",
                )
            elif not spaces[i].within(spaces[j]) and rules[i].ladder != later.ladder:
                # (an exception listed above its general rule is fine: that is the point)
                example = both.example(m.policy.currency)
                yield _finding(
                    m,
                    "warning",
                    path,
                    f"rules '{earlier}' and '{later.id}' both "
                    f"match cases like ({example}) but offer different ladders; "
                    f"'{earlier}' wins because it comes first",
                )


# --- caps -------------------------------------------------------------------------------


def _caps_rise_with_level(m: Mandate) -> Iterator[Finding]:
    c = m.compiled
    rows: list[tuple[tuple[str, ...], tuple[int, int, int], str]] = [
        (("levels", "{}", "per_gesture", str(k)), c.per_gesture[str(k)], f"{k} cap")
        for k in GestureKind
    ]
    rows += [
        (("levels", "{}", "per_order"), c.per_order, "per-order cap"),
        (("levels", "{}", "per_customer"), c.per_customer, "per-customer cap"),
    ]
    for path, caps, what in rows:
        for low, high in ((0, 1), (1, 2)):
            if caps[low] > caps[high]:
                at = tuple(LEVELS[high].value if p == "{}" else p for p in path)
                yield _finding(
                    m,
                    "error",
                    at,
                    f"{what.replace('_', ' ')} for {LEVELS[high]} "
                    f"({_money(caps[high], m)}) is below {LEVELS[low]}'s "
                    f"({_money(caps[low], m)}): a higher level must be allowed at least "
                    "as much",
                )


def _caps_within_budgets(m: Mandate) -> Iterator[Finding]:
    c, budgets = m.compiled, m.policy.budgets
    for period, limits in (("day", budgets.day), ("month", budgets.month)):
        for scope, limit in limits.items():
            kinds = list(GestureKind) if scope == "overall" else [GestureKind(scope)]
            for rank, level in enumerate(LEVELS):
                worst = max(c.per_gesture[str(k)][rank] for k in kinds)
                if scope == "overall":
                    worst = max(worst if worst < NO_CAP else 0, c.per_order[rank])
                if limit.minor < worst < NO_CAP:
                    yield _finding(
                        m,
                        "warning",
                        ("budgets", period, scope),
                        f"{level}'s cap {_money(worst, m)} is above the {period} "
                        f"{scope.replace('_', ' ')} budget {limit.format()}: "
                        "the cap can never be used in full",
                    )


# --- ladders -----------------------------------------------------------------------------


def _cost_range(s: Step, rule: CompiledRule, shipping_fee: int) -> tuple[int, int]:
    """The cheapest and dearest this step can be for any case the rule matches."""
    low, high = max(rule.value_low, 0), rule.value_high
    if s.mode == FIXED:
        return s.fixed, s.fixed
    if s.mode == PERCENT:
        dear = s.clip if high >= NO_CAP else min(s.clip, percent_of(high, s.pct_num, s.pct_den))
        return min(s.clip, percent_of(low, s.pct_num, s.pct_den)), dear
    if s.mode == ITEM:
        return 0, high
    if s.mode == ORDER:
        return low, high
    if s.mode == SHIPPING:
        return shipping_fee, shipping_fee
    return 0, 0


def _ladders_cheapest_first(m: Mandate) -> Iterator[Finding]:
    fee = m.policy.shipping_fee.minor
    for i, rule in enumerate(m.compiled.rules_in_order):
        ranges = [_cost_range(s, rule, fee) for s in rule.steps]
        for a in range(len(ranges)):
            for b in range(a + 1, len(ranges)):
                if ranges[a][0] > ranges[b][1]:
                    sa, sb = rule.steps[a], rule.steps[b]
                    yield _finding(
                        m,
                        "warning",
                        ("rules", i, "ladder", a),
                        f"ladder is not cheapest first: {sa.kind} (at least "
                        f"{_money(ranges[a][0], m)}) comes before {sb.kind} (at most "
                        f"{_money(ranges[b][1], m)}, step {b + 1})",
                    )


def _steps_within_their_level(m: Mandate) -> Iterator[Finding]:
    c = m.compiled
    for i, rule in enumerate(c.rules_in_order):
        for s in rule.steps:
            path = ("rules", i, "ladder", s.step)
            cap = c.per_gesture[s.kind][s.rank]
            if s.mode == FIXED and s.fixed > cap:
                yield _finding(
                    m,
                    "warning",
                    path,
                    f"{s.kind} {_money(s.fixed, m)} at "
                    f"{LEVELS[s.rank]} exceeds the {LEVELS[s.rank]} cap "
                    f"{_money(cap, m)}: it will always need a higher level",
                )
            elif (
                s.rank == 0
                and s.mode not in (FIXED,)
                and s.kind != GestureKind.APOLOGY
                and cap >= NO_CAP
                and s.limit >= NO_CAP
                and s.clip >= NO_CAP
            ):
                yield _finding(
                    m,
                    "warning",
                    path,
                    f"the bot may grant {s.kind} here with no "
                    "limit: set levels.bot.per_gesture or a max on this step",
                )

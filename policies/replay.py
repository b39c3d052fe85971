"""Recovery-moment records (JSON lines) to replay under a policy, and a generator of them."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from herstel.money import Money
from policies.case import NO_HISTORY, NO_USAGE, BudgetUsage, Case, CaseInput, History, MoneyJson
from policies.concepts import (
    CarrierEvidence,
    Channel,
    ComplaintType,
    DamageExtent,
    GestureKind,
    Level,
    Segment,
)


class LiveOffer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: GestureKind
    step: int
    minor: int


class LiveDecision(BaseModel):
    """What the mandate decided in production, recorded with the moment."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rule: str | None
    to_person: bool
    offers: tuple[LiveOffer, ...] = ()
    at: AwareDatetime


class RecoveryRecord(BaseModel):
    """One past recovery moment: the case, and what was actually done about it."""

    # Ignore other fields: `herstel journeys export` writes each moment with everything the
    # journey store knows (3E's, scores, journey), a superset of what a replay reads.
    model_config = ConfigDict(frozen=True, extra="ignore")

    case_id: str
    occurred_at: AwareDatetime
    complaint_type: ComplaintType
    hours_late: float | None = Field(default=None, ge=0)
    damage_extent: DamageExtent | None = None
    order_value: MoneyJson
    segment: Segment = Segment.REGULAR
    channel: Channel = Channel.WEBCHAT
    carrier_evidence: CarrierEvidence = CarrierEvidence.UNKNOWN
    previous_complaints: int = Field(default=0, ge=0)
    demand: MoneyJson | None = None
    # What actually happened (None: nothing beyond words).
    gesture: GestureKind | None = None
    amount: MoneyJson | None = None
    decided_by: Level | None = None
    outcome: str | None = None  # facts, offered, declined, gesture, closed
    mandate_version: str | None = None
    # Recorded live since 0007: the engine's exact inputs, and its decision on them.
    inputs: CaseInput | None = None
    live: LiveDecision | None = None

    def to_case(self, budget: BudgetUsage = NO_USAGE) -> Case:
        if self.inputs is not None:
            # What production decided on (history, given on the order, the item's value);
            # budgets are the replay's own, filling up as it moves through time.
            return replace(self.inputs.to_case(), budget=budget)
        history = (
            History(complaints=self.previous_complaints) if self.previous_complaints else NO_HISTORY
        )
        # Positional, in Case's field order: replays build millions of these.
        return Case(
            self.complaint_type,
            self.order_value,
            self.segment,
            self.channel,
            self.carrier_evidence,
            self.hours_late,
            self.damage_extent,
            None,
            None,
            None,
            self.demand,
            history,
            budget,
            self.case_id,
        )


class ReplayError(ValueError):
    """A records file could not be read; names the file and line."""


def read_records(path: str | Path) -> list[RecoveryRecord]:
    """All records of a JSON-lines file; blank lines and lines starting with # are skipped."""
    records = []
    try:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip() and not line.lstrip().startswith("#"):
                    records.append(_parse(line, path, number))
    except OSError as exc:
        raise ReplayError(f"{path}: cannot read: {exc}") from None
    return records


def _parse(line: str, path: str | Path, number: int) -> RecoveryRecord:
    try:
        return RecoveryRecord.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReplayError(f"{path}:{number}: {where}: {first['msg']}") from None


def record_json(record: RecoveryRecord) -> str:
    return record.model_dump_json(exclude_none=True)


# --- a generator of realistic records, for benchmarks and tests -------------------------

_Table = tuple[list[Any], list[int]]  # values, cumulative weights


def _table(*rows: tuple[Any, int]) -> _Table:
    return [v for v, _ in rows], list(itertools.accumulate(w for _, w in rows))


_COMPLAINTS = _table(
    ("late_delivery", 45),
    ("damaged_product", 25),
    ("missing_item", 12),
    ("wrong_item", 10),
    ("other", 8),
)
_LATE_EVIDENCE = _table(
    ("out_for_delivery", 30),
    ("in_transit", 25),
    ("delayed", 20),
    ("delivered", 12),
    ("unknown", 8),
    ("lost", 3),
    ("delivered_but_missing", 2),
)
_MISSING_EVIDENCE = _table(
    ("delivered_but_missing", 35),
    ("delivered", 15),
    ("lost", 15),
    ("in_transit", 20),
    ("unknown", 15),
)
_DAMAGE = _table(("cosmetic", 35), ("partial", 40), ("unusable", 20), (None, 5))
_SEGMENTS = _table(("new", 25), ("regular", 60), ("vip", 15))
_CHANNELS = _table(("webchat", 70), ("whatsapp", 30))
_PREVIOUS = _table((0, 70), (1, 18), (2, 7), (3, 2), (4, 2), (6, 1))
_DECIDED_BY = _table(("bot", 35), ("agent", 60), ("lead", 5))


def _pick(rng: random.Random, table: _Table) -> Any:
    return rng.choices(table[0], cum_weights=table[1])[0]


def generate_records(
    n: int, *, seed: int = 7, start: datetime | None = None, days: float = 60
) -> Iterator[RecoveryRecord]:
    """n plausible records in time order over `days`, the same for the same seed."""
    rng = random.Random(seed)
    start = start or datetime(2025, 1, 1, tzinfo=UTC)
    offsets = sorted(rng.uniform(0, days * 86400) for _ in range(n))
    for i, offset in enumerate(offsets):
        yield _generate_one(rng, i, start + timedelta(seconds=offset))


def _generate_one(rng: random.Random, i: int, at: datetime) -> RecoveryRecord:
    complaint = _pick(rng, _COMPLAINTS)
    value = Money(int(min(max(math.exp(rng.gauss(4.1, 1.0)), 5), 3000) * 100), "EUR")
    hours = damage = None
    evidence = "unknown"
    if complaint == "late_delivery":
        low, high = rng.choice([(1, 8), (8, 47.9), (48, 120)])
        hours = round(rng.uniform(low, high), 1)
        evidence = _pick(rng, _LATE_EVIDENCE)
    elif complaint == "missing_item":
        evidence = _pick(rng, _MISSING_EVIDENCE)
    elif complaint == "damaged_product":
        damage, evidence = _pick(rng, _DAMAGE), "delivered"
    elif complaint == "wrong_item":
        evidence = "delivered"
    demand = None
    if rng.random() < 0.1:
        demand = Money.of(rng.choice(["10", "25", "50", "100"])).min(value)
    gesture, amount, by = _what_happened(rng, complaint, value)
    return RecoveryRecord.model_construct(
        case_id=f"HR-{i + 1:06d}",
        occurred_at=at,
        complaint_type=ComplaintType(complaint),
        hours_late=hours,
        damage_extent=None if damage is None else DamageExtent(damage),
        order_value=value,
        segment=Segment(_pick(rng, _SEGMENTS)),
        channel=Channel(_pick(rng, _CHANNELS)),
        carrier_evidence=CarrierEvidence(evidence),
        previous_complaints=_pick(rng, _PREVIOUS),
        demand=demand,
        gesture=gesture,
        amount=amount,
        decided_by=by,
    )


def _what_happened(
    rng: random.Random, complaint: str, value: Money
) -> tuple[GestureKind | None, Money | None, Level | None]:
    """A rough picture of what agents did before Herstel: generous, mostly by hand."""
    by = Level(_pick(rng, _DECIDED_BY))
    if complaint == "late_delivery":
        return GestureKind.VOUCHER, Money.of(rng.choice(["5", "10", "15"])), by
    if complaint in ("damaged_product", "wrong_item", "missing_item"):
        if rng.random() < 0.7:
            return GestureKind.REPLACEMENT, value, by
        return GestureKind.FULL_REFUND, value, by
    return None, None, by


def write_records(records: Iterable[RecoveryRecord], path: str | Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(_plain(record), separators=(",", ":")) + "\n")
            count += 1
    return count


def _plain(record: RecoveryRecord) -> dict[str, Any]:
    """A record as JSON data; faster than model_dump_json for generated records."""
    data: dict[str, Any] = {}
    for name in RecoveryRecord.model_fields:
        value = getattr(record, name)
        if value is None:
            continue
        if isinstance(value, Money):
            value = {"minor": value.minor, "currency": value.currency}
        elif isinstance(value, datetime):
            value = value.isoformat()
        data[name] = value
    return data

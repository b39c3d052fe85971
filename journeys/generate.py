"""Plausible recovery moments for benchmarks and tests: the same moments for the same seed.

One hidden "quality" per case drives the customer's effort and answers, so CSAT, CES, NPS,
turns and waiting move together as they do in life, and the report has something to find.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from herstel.money import Money
from journeys.moment import GestureGiven, RecoveryMoment

_COMPLAINTS = (
    ("late_delivery", 45),
    ("damaged_product", 25),
    ("missing_item", 12),
    ("wrong_item", 10),
    ("other", 8),
)
_LATE_EVIDENCE = (
    ("out_for_delivery", 30),
    ("in_transit", 25),
    ("delayed", 20),
    ("delivered", 12),
    ("unknown", 8),
    ("lost", 3),
    ("delivered_but_missing", 2),
)
_MISSING_EVIDENCE = (
    ("delivered_but_missing", 35),
    ("delivered", 15),
    ("lost", 15),
    ("in_transit", 20),
    ("unknown", 15),
)
_DAMAGE = (("cosmetic", 35), ("partial", 40), ("unusable", 25))
_SEGMENTS = (("new", 25), ("regular", 60), ("vip", 15))


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _answer(rng: random.Random, quality: float, low: int, high: int) -> int:
    value = low + quality * (high - low) + rng.gauss(0, (high - low) / 6)
    return int(min(high, max(low, round(value))))


def generate_moments(
    n: int,
    *,
    seed: int = 7,
    start: datetime | None = None,
    days: float = 90,
    customers: int | None = None,
    recontact_share: float = 0.04,
) -> Iterator[RecoveryMoment]:
    """n moments in time order over `days`; a few customers complain again about an order."""
    rng = random.Random(seed)
    start = start or datetime(2026, 1, 1, tzinfo=UTC)
    pool = customers or max(1, 3 * n)  # about one case in seven from a repeat customer
    step = days * 86400 / max(n, 1)
    recent: list[tuple[str, str, Money]] = []  # recent orders, for re-contacts
    for i in range(n):
        at = start + timedelta(seconds=i * step + rng.uniform(0, step))
        if recent and rng.random() < recontact_share:
            customer, order, value = rng.choice(recent)
        else:
            customer, order = f"cus_{rng.randrange(pool):07d}", f"{100_000_000 + i}"
            value = Money(int(min(max(math.exp(rng.gauss(4.1, 1.0)), 5), 3000) * 100))
            recent.append((customer, order, value))
            if len(recent) > 500:
                recent.pop(0)
        yield _one(rng, i, at, customer, order, value)


def _one(
    rng: random.Random, i: int, at: datetime, customer: str, order: str, value: Money
) -> RecoveryMoment:
    complaint = _pick(rng, _COMPLAINTS)
    hours = damage = None
    evidence = "unknown"
    if complaint == "late_delivery":
        hours = round(rng.uniform(*rng.choice([(1, 8), (8, 47.9), (48, 120)])), 1)
        evidence = _pick(rng, _LATE_EVIDENCE)
    elif complaint == "missing_item":
        evidence = _pick(rng, _MISSING_EVIDENCE)
    elif complaint in ("damaged_product", "wrong_item"):
        evidence = "delivered"
        damage = _pick(rng, _DAMAGE) if complaint == "damaged_product" else None
    level = rng.choices(["bot", "agent", "lead"], weights=[60, 35, 5])[0]
    decided_by = "bot" if level == "bot" else f"{level}:U{rng.randrange(40):03d}"
    gestures = _gestures(rng, complaint, value, i)
    quality = rng.betavariate(4, 2)
    bot = level == "bot"
    seconds = math.exp(rng.gauss(5.3 if bot else 8.0, 0.6)) * (1.6 - quality)
    return RecoveryMoment(
        case_id=f"{order}:{complaint}:{i:08x}",
        customer_id=customer,
        order_number=order,
        complaint_type=complaint,
        carrier_evidence=evidence,
        carrier_status_code=None,
        hours_late=hours,
        gestures=gestures,
        decided_by=decided_by,
        mandate_version="bench",
        language=rng.choice(["nl", "nl", "en"]),
        channel=rng.choices(["webchat", "whatsapp"], weights=[70, 30])[0],
        created_at=at,
        carrier=rng.choice(["postnl", "dhl"]),
        segment=_pick(rng, _SEGMENTS),
        order_value=value,
        damage_extent=damage,
        demand=Money.of(rng.choice(["10", "25", "50"])) if rng.random() < 0.1 else None,
        customer_turns=max(3, round(4 + (1 - quality) * 8 + rng.gauss(0, 1.5))),
        seconds_to_resolution=round(seconds, 1),
        tone_start=round(rng.uniform(-1, 0), 2),
        tone_end=round(max(-1.0, min(1.0, quality * 2 - 1 + rng.gauss(0, 0.2))), 2),
        csat=_answer(rng, quality, 1, 10) if rng.random() < 0.7 else None,
        ces=_answer(rng, quality, 1, 7) if rng.random() < 0.6 else None,
        nps=_answer(rng, quality**1.5, 0, 10) if rng.random() < 0.3 else None,
    )


def _gestures(rng: random.Random, complaint: str, value: Money, i: int) -> tuple[GestureGiven, ...]:
    ref = f"G{i:08d}"
    if complaint == "late_delivery":
        return (GestureGiven("voucher", Money.of(rng.choice(["5", "10", "15"])), ref),)
    if complaint in ("damaged_product", "wrong_item"):
        given = GestureGiven("replacement", value, ref)
        if rng.random() < 0.3:
            return (given, GestureGiven("treat", Money.of("3"), ref + "T"))
        return (given,)
    if complaint == "missing_item":
        return (GestureGiven(rng.choice(["replacement", "full_refund"]), value, ref),)
    return (GestureGiven("voucher", Money.of("5"), ref),)

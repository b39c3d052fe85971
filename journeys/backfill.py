"""Moments recorded before migration 0005 have no journey, no touchpoints and no 3E's. The
backfill records them again, oldest first and in batches, through the very path new moments
take (recording.record_moments), so they end as if they had been recorded that way: the same
row id, the gestures, facts and scores they hold, and everything settling derives from them.
Moments the service records meanwhile settle together with them, whatever the order.

Each batch is one transaction, so stopping halfway loses nothing, and running it again only
picks up the moments still without a journey.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from herstel.money import Money
from journeys import bulk
from journeys.moment import GestureGiven, RecoveryMoment
from journeys.recording import M, journey_id, record_moments, upsert_customers, upsert_journeys

BATCH = 1000

Progress = Callable[[int, int], None]  # (moments done so far, moments to do in all)


@dataclass(frozen=True, slots=True)
class Head:
    """What never changes on a moment: enough to take its customer's and journey's locks."""

    case_id: str
    customer_id: str
    order_number: str
    created_at: datetime
    seconds_to_resolution: float | None

    @property
    def failed_at(self) -> datetime:
        return self.created_at - timedelta(seconds=self.seconds_to_resolution or 0)


async def pending(conn: AsyncConnection) -> int:
    """How many moments have no journey yet."""
    query = select(func.count()).select_from(M).where(M.c.journey_id.is_(None))
    return int((await conn.execute(query)).scalar_one())


async def backfill(
    engine: AsyncEngine, batch: int = BATCH, progress: Progress | None = None
) -> int:
    """Record every moment without a journey again, a batch per transaction; returns how many."""
    async with engine.connect() as conn:
        total = await pending(conn)
    done = 0
    after: tuple[datetime, str] | None = None
    while True:
        async with engine.begin() as conn:
            heads = await _next_heads(conn, batch, after)
            if not heads:
                return done
            done += await backfill_batch(conn, heads)
        after = (heads[-1].created_at, heads[-1].case_id)
        if progress is not None:
            progress(done, max(total, done))


async def _next_heads(
    conn: AsyncConnection, batch: int, after: tuple[datetime, str] | None
) -> list[Head]:
    """The oldest moments without a journey, after the last batch (so a batch that leaves a
    moment behind, recorded meanwhile by another run, does not stop the rest)."""
    query = (
        select(M.c.case_id, M.c.customer_id, M.c.order_number, M.c.created_at,
               M.c.seconds_to_resolution)
        .where(M.c.journey_id.is_(None))
        .order_by(M.c.created_at, M.c.case_id)
        .limit(batch)
    )  # fmt: skip
    if after is not None:
        query = query.where(tuple_(M.c.created_at, M.c.case_id) > after)  # bound as the columns
    return [Head(*row) for row in (await conn.execute(query)).all()]


async def backfill_batch(conn: AsyncConnection, heads: Sequence[Head]) -> int:
    """Record these moments again, in the caller's transaction; returns how many were.

    Locks are taken in the order every writer takes them: customers, journeys, then the
    moments' rows (read again under the lock: a score may have arrived since)."""
    await _lock_parents(conn, heads)
    cases = [h.case_id for h in heads]
    unjourneyed = bulk.among(conn, M.c.case_id, cases) & M.c.journey_id.is_(None)
    rows = (await conn.execute(select(M).where(unjourneyed).with_for_update())).all()
    if not rows:
        return 0  # another run got there first
    await conn.execute(delete(M).where(unjourneyed))
    moments = [moment_of(row) for row in rows]
    return await record_moments(conn, moments, {row.case_id: row.id for row in rows})


async def _lock_parents(conn: AsyncConnection, heads: Sequence[Head]) -> None:
    """Create or touch the customers and journeys with what recording will bring anyway (no
    segment, order value or NPS: moments from before 0005 had none, or they may still change),
    which takes their locks."""
    customers: dict[str, dict[str, Any]] = {}
    journeys: dict[str, dict[str, Any]] = {}
    for h in heads:
        c = customers.setdefault(h.customer_id, {
            "id": h.customer_id, "segment": None, "first_seen_at": h.failed_at,
            "last_seen_at": h.created_at,
        })  # fmt: skip
        c["first_seen_at"] = min(c["first_seen_at"], h.failed_at)
        c["last_seen_at"] = max(c["last_seen_at"], h.created_at)
        jid = journey_id(h.order_number)
        j = journeys.setdefault(jid, {
            "id": jid, "order_number": h.order_number, "customer_id": h.customer_id,
            "order_value_minor": None, "currency": None, "started_at": h.failed_at,
            "updated_at": h.created_at, "score": None, "nps": None, "nps_at": None,
        })  # fmt: skip
        j["started_at"] = min(j["started_at"], h.failed_at)
        j["updated_at"] = max(j["updated_at"], h.created_at)
    await upsert_customers(conn, customers)
    await upsert_journeys(conn, journeys)


def moment_of(row: Any) -> RecoveryMoment:
    """The moment a stored row was recorded from. Whether it was resolved and its facts
    confirmed are left to be derived (from the gestures and the carrier's evidence) as for any
    moment recorded without them: rows from before 0005 only have the columns' defaults."""
    gestures = tuple(
        GestureGiven(g["kind"], Money(g["amount_minor"], row.currency), g["ref"])
        for g in json.loads(row.gestures)
    )
    return RecoveryMoment(
        case_id=row.case_id,
        customer_id=row.customer_id,
        order_number=row.order_number,
        complaint_type=row.complaint_type,
        carrier_evidence=row.carrier_evidence,
        carrier_status_code=row.carrier_status_code,
        hours_late=row.hours_late,
        gestures=gestures,
        decided_by=row.decided_by,
        mandate_version=row.mandate_version,
        language=row.language,
        channel=row.channel,
        created_at=row.created_at,
        carrier=row.carrier,
        segment=row.segment,
        damage_extent=row.damage_extent,
        demand=None if row.demand_minor is None else Money(row.demand_minor, row.currency),
        customer_turns=row.customer_turns,
        seconds_to_resolution=row.seconds_to_resolution,
        tone_start=row.tone_start,
        tone_end=row.tone_end,
        csat=row.csat,
        ces=row.ces,
        nps=row.nps,
    )

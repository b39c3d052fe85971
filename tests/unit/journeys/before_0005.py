"""Moments as the journey store held them before migration 0005, for the backfill's tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import column, insert, table
from sqlalchemy.ext.asyncio import AsyncEngine

from journeys.db import UTCDateTime
from journeys.generate import generate_moments
from journeys.moment import RecoveryMoment

# recovery_moments as revisions 0002 and 0003 made it
OLD_MOMENTS = table(
    "recovery_moments",
    *(column(name) for name in (
        "id", "case_id", "customer_id", "order_number", "complaint_type", "carrier_evidence",
        "carrier_status_code", "hours_late", "gestures", "amount_minor", "currency",
        "decided_by", "mandate_version", "language", "channel",
    )),
    column("created_at", UTCDateTime()),
    *(column(name) for name in ("csat", "ces", "nps")),
)  # fmt: skip


def as_before_0005(moment: RecoveryMoment) -> RecoveryMoment:
    """The moment without what only 0005 started to keep."""
    return replace(
        moment, carrier=None, segment=None, order_value=None, damage_extent=None, demand=None,
        customer_turns=None, seconds_to_resolution=None, tone_start=None, tone_end=None,
    )  # fmt: skip


def old_and_new(n: int = 240) -> tuple[list[RecoveryMoment], list[RecoveryMoment]]:
    """Moments of a few customers over three months, with re-contacts: the first half recorded
    before 0005 (with some survey answers), the second half after."""
    moments = list(generate_moments(n, seed=12, customers=25, recontact_share=0.3))
    half = n // 2
    return [as_before_0005(m) for m in moments[:half]], moments[half:]


async def insert_old(engine: AsyncEngine, moments: Sequence[RecoveryMoment]) -> None:
    """Write moments as the code of revisions 0002-0004 did."""
    rows = []
    for n, m in enumerate(moments):
        gestures = [{"kind": g.kind, "amount_minor": g.amount.minor, "ref": g.ref}
                    for g in m.gestures]  # fmt: skip
        rows.append({
            "id": f"{n:032x}", "case_id": m.case_id, "customer_id": m.customer_id,
            "order_number": m.order_number, "complaint_type": m.complaint_type,
            "carrier_evidence": m.carrier_evidence, "carrier_status_code": m.carrier_status_code,
            "hours_late": m.hours_late, "gestures": json.dumps(gestures),
            "amount_minor": m.amount.minor, "currency": m.amount.currency,
            "decided_by": m.decided_by, "mandate_version": m.mandate_version,
            "language": m.language, "channel": m.channel, "created_at": m.created_at,
            "csat": m.csat, "ces": m.ces, "nps": m.nps,
        })  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(insert(OLD_MOMENTS), rows)

"""Recovery moments for tests, and raw reads of the journey tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from herstel.money import Money
from journeys.moment import GestureGiven, RecoveryMoment
from journeys.tables import CustomerRow, JourneyRow, RecoveryMomentRow, TouchpointRow

AT = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)

LAPTOP = RecoveryMoment(
    case_id="100482:late_delivery:abc",
    customer_id="cus_0001",
    order_number="100482",
    complaint_type="late_delivery",
    carrier_evidence="out_for_delivery",
    carrier_status_code="7",
    hours_late=1.1,
    gestures=(GestureGiven("voucher", Money.of("10"), "HRST-AAAA-BBBB"),),
    decided_by="bot",
    mandate_version="ce74d1b104bc",
    language="nl",
    channel="webchat",
    created_at=AT,
    carrier="postnl",
    segment="regular",
    order_value=Money.of("899.00"),
    customer_turns=4,
    seconds_to_resolution=180.0,
    tone_start=-0.6,
    tone_end=0.6,
)

SHOWER_OIL = RecoveryMoment(
    case_id="100517:damaged_product:def",
    customer_id="cus_0002",
    order_number="100517",
    complaint_type="damaged_product",
    carrier_evidence="delivered",
    carrier_status_code=None,
    hours_late=None,
    gestures=(
        GestureGiven("replacement", Money.of("24.95"), "RPL-1"),
        GestureGiven("treat", Money.of("3.50"), "TRT-1"),
    ),
    decided_by="agent:U042",
    mandate_version="ce74d1b104bc",
    language="nl",
    channel="whatsapp",
    created_at=AT + timedelta(hours=2),
    segment="vip",
    order_value=Money.of("24.95"),
    damage_extent="partial",
    demand=Money.of("10"),
)


def moment(n: int, **changes: Any) -> RecoveryMoment:
    """The laptop case again, as the n-th case of its own order and customer."""
    base = replace(
        LAPTOP,
        case_id=f"{200_000 + n}:late_delivery:{n:04x}",
        customer_id=f"cus_{n:04d}",
        order_number=str(200_000 + n),
        created_at=AT + timedelta(minutes=n),
    )
    return replace(base, **changes)


async def rows(engine: AsyncEngine, table: Any, order_by: Any = None) -> list[Any]:
    query = select(table.__table__)
    if order_by is not None:
        query = query.order_by(order_by)
    async with engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def moment_rows(engine: AsyncEngine) -> list[Any]:
    return await rows(engine, RecoveryMomentRow, RecoveryMomentRow.created_at)


async def touchpoint_rows(engine: AsyncEngine) -> list[Any]:
    return await rows(engine, TouchpointRow, TouchpointRow.key)


async def journey_rows(engine: AsyncEngine) -> list[Any]:
    return await rows(engine, JourneyRow, JourneyRow.order_number)


async def customer_rows(engine: AsyncEngine) -> list[Any]:
    return await rows(engine, CustomerRow, CustomerRow.id)


# What a store holds, as comparable plain data: the same moments recorded in any order, in
# batches or one by one, with or without an outbox in between, must give the same state.


async def snapshot(engine: AsyncEngine) -> dict[str, Any]:
    def plain(found: list[Any], key: str) -> dict[str, dict[str, Any]]:
        out = {}
        for row in found:
            data = dict(row._mapping)
            if key == "case_id":
                del data["id"]  # a moment's row id is random
            data = {k: round(v, 9) if isinstance(v, float) else v for k, v in data.items()}
            out[data[key]] = data
        return out

    return {
        "moments": plain(await moment_rows(engine), "case_id"),
        "touchpoints": plain(await touchpoint_rows(engine), "key"),
        "journeys": plain(await journey_rows(engine), "id"),
        "customers": plain(await customer_rows(engine), "id"),
    }

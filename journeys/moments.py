"""Recovery moments: every handled failure, written once per case, exported as JSON lines."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from herstel.money import Money
from journeys.tables import RecoveryMomentRow

SCALES = {"csat": (1, 10), "ces": (1, 7), "nps": (0, 10)}


@dataclass(frozen=True, slots=True)
class GestureGiven:
    kind: str
    amount: Money
    ref: str


@dataclass(frozen=True, slots=True)
class RecoveryMoment:
    case_id: str
    customer_id: str
    order_number: str
    complaint_type: str
    carrier_evidence: str
    carrier_status_code: str | None
    hours_late: float | None
    gestures: tuple[GestureGiven, ...]
    decided_by: str  # "bot" or "agent:<id>"
    mandate_version: str
    language: str
    channel: str
    created_at: datetime

    @property
    def amount(self) -> Money:
        currency = self.gestures[0].amount.currency if self.gestures else "EUR"
        total = Money.zero(currency)
        for gesture in self.gestures:
            total += gesture.amount
        return total


class MomentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def record(self, moment: RecoveryMoment) -> None:
        """Write the moment; a repeat for the same case changes nothing."""
        values = _row_values(moment)
        dialect = self._engine.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(RecoveryMomentRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["case_id"])
        )
        async with self._sessions.begin() as session:
            await session.execute(statement)

    async def add_score(self, case_id: str, scale: str, score: int) -> bool:
        """Store one score on the case's moment; False if the case has no moment."""
        low, high = SCALES[scale]
        if not low <= score <= high:
            raise ValueError(f"{scale} must be {low}-{high}, got {score}")
        statement = (
            update(RecoveryMomentRow)
            .where(RecoveryMomentRow.case_id == case_id)
            .values({scale: score})
        )
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
        return bool(result.rowcount)

    async def export(self, since: datetime | None = None) -> AsyncIterator[dict]:
        """Every moment as a plain dict (the JSON-lines export), oldest first."""
        query = select(RecoveryMomentRow).order_by(RecoveryMomentRow.created_at)
        if since is not None:
            query = query.where(RecoveryMomentRow.created_at >= since)
        async with self._sessions() as session:
            for row in (await session.scalars(query)).all():
                yield _exported(row)


def _row_values(moment: RecoveryMoment) -> dict:
    values = {k: v for k, v in asdict(moment).items() if k != "gestures"}
    values["gestures"] = json.dumps(
        [{"kind": g.kind, "amount_minor": g.amount.minor, "ref": g.ref} for g in moment.gestures]
    )
    values["amount_minor"] = moment.amount.minor
    values["currency"] = moment.amount.currency
    values["id"] = uuid.uuid4().hex
    return values


def _exported(row: RecoveryMomentRow) -> dict:
    return {
        "case_id": row.case_id,
        "occurred_at": row.created_at.isoformat(),
        "customer_id": row.customer_id,
        "order_number": row.order_number,
        "complaint_type": row.complaint_type,
        "carrier_evidence": row.carrier_evidence,
        "carrier_status_code": row.carrier_status_code,
        "hours_late": row.hours_late,
        "gestures": json.loads(row.gestures),
        "amount": {"minor": row.amount_minor, "currency": row.currency},
        "decided_by": row.decided_by,
        "mandate_version": row.mandate_version,
        "language": row.language,
        "channel": row.channel,
        "csat": row.csat,
        "ces": row.ces,
        "nps": row.nps,
    }

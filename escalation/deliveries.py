"""What agents did that a customer must still be told, kept until Rasa takes it.

An agent's decision, message, take-over or hand-back reaches the customer as an external
intent through Rasa's HTTP API. When Rasa (or the action server behind it) is down, that
event waits here, in the journey store, and the courier (escalation/courier.py) triggers it
again, in order per conversation, until Rasa takes it or a day has passed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from escalation.card_queue import GRACE, retry_delay
from herstel.clock import Clock
from journeys.tables import DeliveryRow

GIVE_UP_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    case_id: str
    conversation_id: str
    intent: str
    entities: dict[str, str]
    created_at: datetime
    attempts: int


class Deliveries:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def add(
        self, case_id: str, conversation_id: str, intent: str, entities: dict[str, str],
        *, error: str, due_now: bool = False,
    ) -> None:  # fmt: skip
        now = self._clock.now()
        row = {
            "id": uuid.uuid4().hex, "case_id": case_id, "conversation_id": conversation_id,
            "intent": intent, "entities": json.dumps(entities), "created_at": now,
            "due_at": now if due_now else now + retry_delay(1), "attempts": 0 if due_now else 1,
            "error": error[:200],
        }  # fmt: skip
        async with self._engine.begin() as conn:
            await conn.execute(DeliveryRow.__table__.insert(), row)

    async def waiting_for(self, conversation_id: str) -> bool:
        """Whether something for this conversation still waits: what follows must queue too."""
        async with self._engine.connect() as conn:
            query = select(exists().where(DeliveryRow.conversation_id == conversation_id))
            return bool(await conn.scalar(query))

    async def claim_due(self, limit: int = 20) -> list[Delivery]:
        """Due deliveries, oldest first, each claimed for GRACE; only the oldest of each
        conversation, so they arrive in the order agents acted."""
        now = self._clock.now()
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(DeliveryRow.__table__).order_by(DeliveryRow.created_at).limit(limit * 5)
                )
            ).all()
        claimed, seen = [], set()
        for row in rows:
            first_of_its_conversation = row.conversation_id not in seen
            seen.add(row.conversation_id)
            if not first_of_its_conversation or row.due_at > now or len(claimed) >= limit:
                continue
            async with self._engine.begin() as conn:
                won = await conn.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.id == row.id, DeliveryRow.due_at == row.due_at)
                    .values(due_at=now + GRACE)
                )
            if won.rowcount:
                claimed.append(_delivery(row))
        return claimed

    async def delivered(self, delivery: Delivery) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(DeliveryRow).where(DeliveryRow.id == delivery.id))

    async def failed(self, delivery: Delivery, error: str) -> bool:
        """Try again later; False (and dropped) once it has waited GIVE_UP_AFTER."""
        now = self._clock.now()
        if now - delivery.created_at >= GIVE_UP_AFTER:
            await self.delivered(delivery)
            return False
        attempts = delivery.attempts + 1
        async with self._engine.begin() as conn:
            await conn.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery.id)
                .values(attempts=attempts, error=error[:200], due_at=now + retry_delay(attempts))
            )
        return True


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        row.id, row.case_id, row.conversation_id, row.intent, json.loads(row.entities),
        row.created_at, row.attempts,
    )  # fmt: skip

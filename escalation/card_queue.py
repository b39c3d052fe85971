"""Which cases' cards have not reached Slack yet, kept with the case in the journey store.

A case is stored with its card due (escalation/store.py), so a card is never lost between
the hand-over and the post, even if the process dies in between. The hand-over's own attempt
holds the card for GRACE; a failed attempt sets when to try again (Slack's Retry-After, else a
growing back-off); the courier (escalation/courier.py) claims due cards one by one, so two
desks never post the same card at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from herstel.clock import Clock
from journeys.tables import EscalationRow

GRACE = timedelta(seconds=30)  # the hand-over's own attempt, then the courier's lease
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A card that is not in Slack yet: how often it was tried and Slack's last answer."""

    case_id: str
    attempts: int
    error: str | None
    due_at: datetime


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """After `attempts` failed tries: 5 s doubling to 5 min, never sooner than Retry-After."""
    backoff = min(LONGEST_WAIT, FIRST_RETRY * 2 ** max(0, attempts - 1))
    return max(backoff, timedelta(seconds=retry_after or 0))


class CardQueue:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def hold(self, case_id: str) -> None:
        """A card (again) on its way: due after the grace the attempt now being made needs."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(EscalationRow)
                .where(EscalationRow.case_id == case_id)
                .values(card_due_at=self._clock.now() + GRACE, card_error=None)
            )

    async def failed(self, case_id: str, error: str, retry_after: float | None = None) -> int:
        """Slack did not take the card: when to try again. Returns the attempts so far."""
        async with self._engine.begin() as conn:
            attempts = await conn.scalar(
                update(EscalationRow)
                .where(EscalationRow.case_id == case_id)
                .values(card_attempts=EscalationRow.card_attempts + 1, card_error=error[:64])
                .returning(EscalationRow.card_attempts)
            )
            attempts = int(attempts or 1)
            due = self._clock.now() + retry_delay(attempts, retry_after)
            await conn.execute(
                update(EscalationRow)
                .where(EscalationRow.case_id == case_id)
                .values(card_due_at=due)
            )
        return attempts

    async def delivered(self, case_id: str) -> int:
        """The card is in Slack; returns how many attempts had failed before."""
        async with self._engine.begin() as conn:
            before = await conn.scalar(
                select(EscalationRow.card_attempts).where(EscalationRow.case_id == case_id)
            )
            await conn.execute(
                update(EscalationRow)
                .where(EscalationRow.case_id == case_id)
                .values(card_due_at=None, card_attempts=0, card_error=None)
            )
        return int(before or 0)

    async def claim_due(self, limit: int = 20) -> list[tuple[str, int]]:
        """Due cards with their failed attempts so far, each claimed for GRACE (a
        compare-and-set on its due time), oldest first."""
        now = self._clock.now()
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        EscalationRow.case_id,
                        EscalationRow.card_due_at,
                        EscalationRow.card_attempts,
                    )
                    .where(EscalationRow.card_due_at <= now)
                    .order_by(EscalationRow.card_due_at)
                    .limit(limit)
                )
            ).all()
        claimed = []
        for case_id, due, attempts in rows:
            async with self._engine.begin() as conn:
                won = await conn.execute(
                    update(EscalationRow)
                    .where(EscalationRow.case_id == case_id, EscalationRow.card_due_at == due)
                    .values(card_due_at=now + GRACE)
                )
            if won.rowcount:
                claimed.append((case_id, int(attempts)))
        return claimed

    async def waiting(self, limit: int = 200) -> dict[str, Waiting]:
        """Every card not in Slack yet, by case id."""
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        EscalationRow.case_id,
                        EscalationRow.card_attempts,
                        EscalationRow.card_error,
                        EscalationRow.card_due_at,
                    )
                    .where(EscalationRow.card_due_at.is_not(None))
                    .order_by(EscalationRow.opened_at.desc())
                    .limit(limit)
                )
            ).all()
        return {row[0]: Waiting(*row) for row in rows}

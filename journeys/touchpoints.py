"""Touchpoints from elsewhere: an order confirmation, a delivery survey, a review request.

Recovery moments bring their own two touchpoints (journeys.moments); this is for the rest of
the journey, so phase and journey scores, and the moments of truth, see more than failures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from journeys import scoring
from journeys.recording import add_touchpoint


class TouchpointStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(
        self,
        key: str,
        customer_id: str,
        order_number: str,
        *,
        phase: str,
        type: str,
        channel: str | None,
        at: datetime,
        score: float | None = None,
        answer: tuple[str, int] | None = None,
        source: str = "customer",
    ) -> bool:
        """Add a touchpoint to the order's journey, once per key (False: the key is known).

        score is 0-1; or give the customer's answer, e.g. ("csat", 8), and it is scaled.
        """
        raw = scale = None
        if answer is not None:
            scale, raw = answer
            score = scoring.scaled(scale, raw)
        async with self._engine.begin() as conn:
            return await add_touchpoint(
                conn, key=key, customer_id=customer_id, order_number=order_number, phase=phase,
                type=type, channel=channel, at=at, score=score, raw_score=raw, scale=scale,
                source=source,
            )  # fmt: skip

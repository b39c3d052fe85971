"""FakeCarrier: a dict of answers and a list of calls, for tests of anything that tracks."""

from __future__ import annotations

import asyncio

from carriers.errors import CarrierError, ShipmentNotFound
from carriers.model import Shipment


class FakeCarrier:
    """Answers from `answers` (a Shipment, or a CarrierError to raise); records every call.

    Set `gate` to an unset asyncio.Event to hold calls until the test sets it.
    """

    def __init__(
        self, answers: dict[str, Shipment | CarrierError] | None = None, *, name: str = "fake"
    ) -> None:
        self.name = name
        self.answers: dict[str, Shipment | CarrierError] = dict(answers or {})
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None

    async def track(self, tracking_number: str) -> Shipment:
        self.calls.append(tracking_number)
        if self.gate is not None:
            await self.gate.wait()
        answer = self.answers.get(tracking_number)
        if answer is None:
            raise ShipmentNotFound(f"{self.name} does not know {tracking_number}")
        if isinstance(answer, CarrierError):
            raise answer
        return answer

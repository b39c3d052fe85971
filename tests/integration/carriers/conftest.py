"""The carrier simulator on a free loopback port, with a frozen clock the test controls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import pytest
from aiohttp import web

from carriers.simulator import create_app
from herstel.clock import AMSTERDAM, FrozenClock

NOW = datetime(2025, 3, 14, 10, 30, tzinfo=AMSTERDAM)


@dataclass
class Simulator:
    base_url: str
    clock: FrozenClock


class Sleeps(list[float]):
    """An injectable sleep that records instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    clock = FrozenClock(NOW)
    # handler_cancellation: the "slow" scenario's handler ends when the client gives up.
    runner = web.AppRunner(create_app(clock=clock), handler_cancellation=True, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        yield Simulator(f"http://127.0.0.1:{port}", clock)
    finally:
        await runner.cleanup()


@pytest.fixture
async def session(simulator: Simulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()

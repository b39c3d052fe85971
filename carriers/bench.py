"""Lookups per second and p95 latency through the PostNL adapter, with and without the cache."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from carriers.model import Carrier
from carriers.postnl import PostNLCarrier
from carriers.resilience import CachedCarrier
from carriers.simulator.app import SCENARIOS, create_app
from herstel.clock import SystemClock


@dataclass(frozen=True, slots=True)
class Result:
    lookups: int
    seconds: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.lookups / self.seconds if self.seconds else 0.0


async def measure(
    carrier: Carrier, numbers: list[str], *, seconds: float, max_lookups: int, concurrency: int
) -> Result:
    """Run `concurrency` workers until the time or the lookup budget is spent."""
    latencies: list[float] = []
    cycle = itertools.cycle(numbers)
    started = time.perf_counter()
    deadline = started + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline and len(latencies) < max_lookups:
            begin = time.perf_counter()
            await carrier.track(next(cycle))
            latencies.append(time.perf_counter() - begin)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ranked = sorted(latencies)
    p95 = ranked[int(0.95 * (len(ranked) - 1))] if ranked else 0.0
    return Result(lookups=len(latencies), seconds=elapsed, p95_ms=p95 * 1000)


async def start_simulator() -> tuple[web.AppRunner, str, list[str]]:
    """The simulator on a free loopback port, and the PostNL parcels that answer normally."""
    app = create_app()
    numbers = [
        number
        for number, scenario in app[SCENARIOS].items()
        if scenario.carrier == "postnl" and scenario.behaviour == "normal"
    ]
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}", numbers


async def main(seconds: float = 2.0, max_lookups: int = 20_000, concurrency: int = 8) -> None:
    runner, base_url, numbers = await start_simulator()
    try:
        async with aiohttp.ClientSession() as session:
            adapter = PostNLCarrier(session, base_url=base_url, api_key="bench")
            cached = CachedCarrier(adapter, ttl_seconds=60, clock=SystemClock())
            print(f"{len(numbers)} PostNL parcels, {concurrency} callers, up to {seconds}s each")
            for label, carrier in (("adapter", adapter), ("adapter + cache", cached)):
                result = await measure(
                    carrier,
                    numbers,
                    seconds=seconds,
                    max_lookups=max_lookups,
                    concurrency=concurrency,
                )
                print(
                    f"{label:<16} {result.lookups:>7} lookups {result.per_second:>10.0f}/s"
                    f"   p95 {result.p95_ms:8.3f} ms"
                )
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())

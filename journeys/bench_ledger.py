"""Reservations per second on SQLite and on a throwaway PostgreSQL (run from the repo root)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from herstel.clock import FrozenClock
from herstel.money import Money
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from journeys.records import BudgetLimit, ReservationRequest

# Budgets large enough never to refuse: we measure the guarded path, not the refusals.
LIMITS = (
    BudgetLimit("day", Money.of("1000000")),
    BudgetLimit("month", Money.of("1000000"), "voucher"),
    BudgetLimit("customer_period", Money.of("1000000"), None, 30),
)
CUSTOMERS = 500
_keys = itertools.count()


@dataclass
class Result:
    label: str
    reservations: int
    seconds: float

    def __str__(self) -> str:
        rate = self.reservations / self.seconds
        done = f"({self.reservations} in {self.seconds:.2f} s)"
        return f"{self.label:<28} {rate:8.0f} reservations/s  {done}"


def _request() -> ReservationRequest:
    n = next(_keys)
    return ReservationRequest(
        f"bench-{n}", f"case-{n}", f"cus_{n % CUSTOMERS}", f"{n}", "voucher",
        Money.of("5"), "bot", "bench", LIMITS,
    )  # fmt: skip


async def _worker(ledger: GestureLedger, deadline: float, budget: int) -> int:
    done = 0
    while done < budget and time.perf_counter() < deadline:
        await ledger.reserve(_request())
        done += 1
    return done


async def _run(ledger: GestureLedger, label: str, workers: int, seconds: float) -> Result:
    start = time.perf_counter()
    deadline = start + seconds
    counts = await asyncio.gather(*(_worker(ledger, deadline, 20_000) for _ in range(workers)))
    return Result(f"{label}, {workers} concurrent", sum(counts), time.perf_counter() - start)


async def bench(url: str, label: str, seconds: float, workers: int) -> list[Result]:
    await migrate(url)
    engine = create_engine_for(url, pool_size=workers, max_overflow=0)
    ledger = GestureLedger(engine, FrozenClock(datetime(2026, 11, 22, 12, tzinfo=UTC)))
    try:
        await _run(ledger, label, workers, 0.2)  # warm up: open the pool's connections
        return [
            await _run(ledger, label, 1, seconds),
            await _run(ledger, label, workers, seconds),
        ]
    finally:
        await engine.dispose()


def _postgres_results(seconds: float, workers: int) -> list[Result]:
    # The throwaway cluster lives with the tests; run from the repository root.
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres(durable=True) as server:
        return asyncio.run(bench(server.url(), "PostgreSQL", seconds, workers))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.5, help="per measurement")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        results = asyncio.run(bench(url, "SQLite (WAL)", args.seconds, args.workers))
    results += _postgres_results(args.seconds, args.workers)
    for result in results:
        print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

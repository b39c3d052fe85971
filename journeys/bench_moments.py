"""Recovery moments written per second (batched) on SQLite and PostgreSQL, and the journey report
over a million generated moments on PostgreSQL (run from the repository root)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from journeys.db import create_engine_for, migrate
from journeys.generate import generate_moments
from journeys.moment import RecoveryMoment
from journeys.moments import MomentStore
from journeys.report import build_report

WRITE_TARGET = 5_000  # moments/s on PostgreSQL
REPORT_TARGET = 2.0  # seconds for the report over 1,000,000 moments on PostgreSQL


Clock = Callable[[], float]


def _no_server() -> float:
    return 0.0  # SQLite works in this process: its CPU is in process_time()


def postgres_cpu(data_dir: Path) -> Clock:
    """CPU seconds the cluster has used so far: the postmaster, its live backends and workers,
    and the ones that exited (the kernel adds those to the postmaster's children time)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid: str) -> list[str]:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    def used() -> float:
        with open(data_dir / "postmaster.pid") as f:
            postmaster = f.readline().strip()
        fields = stat(postmaster)
        total = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                fields = stat(pid)
            except OSError:
                continue  # exited meanwhile: counted with the postmaster's children
            if fields[1] == postmaster:  # ppid
                total += int(fields[11]) + int(fields[12])
        return total / tick

    return used


def _cpu_note(n: int, client: float, server: float) -> str:
    here, there = client / n * 1e6, server / n * 1e6
    if not server:
        return f"CPU {here:.0f} µs per moment"
    return f"CPU {here:.0f} µs here + {there:.0f} µs in PostgreSQL per moment"


def _batches(moments: Sequence[RecoveryMoment], size: int) -> list[Sequence[RecoveryMoment]]:
    return [moments[i : i + size] for i in range(0, len(moments), size)]


async def write(
    store: MomentStore, moments: Sequence[RecoveryMoment], batch: int, workers: int
) -> float:
    """Seconds to record all moments in batches, with `workers` batches in flight."""
    queue = _batches(moments, batch)
    queue.reverse()

    async def worker() -> None:
        while queue:
            await store.record_many(queue.pop())

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - start


async def _analyze(engine: AsyncEngine) -> None:
    """What autovacuum does within a minute of a table filling up: fresh planner statistics."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))


async def bench_writes(
    url: str, label: str, n: int, batch: int, workers: int, server_cpu: Clock = _no_server
) -> list[str]:
    await migrate(url)
    engine = create_engine_for(url, pool_size=max(workers, 1), max_overflow=0)
    store = MomentStore(engine)
    moments = list(generate_moments(n + 5 * batch, seed=11))
    lines = []
    try:
        await write(store, moments[: 5 * batch], batch, 1)  # warm up: connections, caches
        await _analyze(engine)
        rest = moments[5 * batch :]
        runs = [(1, rest)] if workers == 1 else [(1, rest[: n // 2]), (workers, rest[n // 2 :])]
        for count, chunk in runs:
            client, server = time.process_time(), server_cpu()
            seconds = await write(store, chunk, batch, count)
            client, server = time.process_time() - client, server_cpu() - server
            lines.append(
                f"{label:<11} batches of {batch}, {count} writer(s): "
                f"{len(chunk) / seconds:7,.0f} moments/s  ({len(chunk):,} in {seconds:.2f} s; "
                f"{_cpu_note(len(chunk), client, server)})"
            )
    finally:
        await engine.dispose()
    return lines


async def bench_report(
    url: str, n: int, batch: int, workers: int, rounds: int, server_cpu: Clock = _no_server
) -> list[str]:
    await migrate(url)
    engine = create_engine_for(url, pool_size=max(workers, 4), max_overflow=0)
    store = MomentStore(engine)
    lines = []
    try:
        generating = writing = client = server = 0.0
        moments = generate_moments(n, seed=3)
        while True:  # in slices: a million moments at once would not fit comfortably in memory
            start = time.perf_counter()
            chunk = list(itertools.islice(moments, 20 * batch))
            generating += time.perf_counter() - start
            if not chunk:
                break
            mine, theirs = time.process_time(), server_cpu()
            writing += await write(store, chunk, batch, workers)
            client += time.process_time() - mine
            server += server_cpu() - theirs
        lines.append(
            f"generated {n:,} moments in {generating:.1f} s, written in {writing:.1f} s "
            f"({n / writing:,.0f} moments/s, batches of {batch}, {workers} writers; "
            f"{_cpu_note(n, client, server)})"
        )
        await _analyze(engine)
        timings, cpu = [], []
        for _ in range(rounds):
            start, theirs = time.perf_counter(), server_cpu()
            report = await build_report(engine)
            timings.append(time.perf_counter() - start)
            cpu.append(server_cpu() - theirs)
        count = report["recovery_moments"]["overall"]["moments"]
        lines.append(
            f"report over {count:,} moments: median {statistics.median(timings):.2f} s, "
            f"best {min(timings):.2f} s of {rounds} (target < {REPORT_TARGET:.0f} s); "
            f"PostgreSQL CPU {statistics.median(cpu):.2f} s per report"
        )
    finally:
        await engine.dispose()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moments", type=int, default=40_000, help="written per database")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="concurrent writers")
    parser.add_argument("--report-moments", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="report runs to time")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args(argv)
    # The throwaway cluster lives with the tests; run from the repository root.
    from tests.support.postgres import throwaway_postgres

    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        lines += asyncio.run(bench_writes(url, "SQLite", args.moments, args.batch, 1))
    print("\n".join(lines), flush=True)
    with throwaway_postgres(durable=True) as server:
        cpu = postgres_cpu(server.data_dir)
        found = asyncio.run(
            bench_writes(server.url(), "PostgreSQL", args.moments, args.batch, args.workers, cpu)
        )
        print("\n".join(found), flush=True)
        if not args.skip_report:
            asyncio.run(_fresh_database(server.dsn()))
            found = asyncio.run(
                bench_report(
                    server.url("report"),
                    args.report_moments,
                    args.batch,
                    args.workers,
                    args.rounds,
                    cpu,
                )
            )
            print("\n".join(found), flush=True)
    return 0


async def _fresh_database(dsn: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute('CREATE DATABASE "report"')
    finally:
        await admin.close()


if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m policies.bench`: decisions per second on one core and a 100,000-case replay."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from policies.engine import decide
from policies.loader import load_default, load_mandate
from policies.mandate import Mandate
from policies.replay import generate_records, read_records, write_records
from policies.simulate import compare

DRAFT = Path(__file__).with_name("examples") / "stricter.yml"
DECISIONS_TARGET = 50_000  # per second
REPLAY_TARGET = 10.0  # seconds for 100,000 cases


def one_core() -> None:
    """Keep the measurement on a single core, where the OS lets us choose."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


class Timer:
    """Wall time, and CPU time of this process: on a busy machine the CPU time is the truer
    measure of what one core does, since wall time also counts waiting for the core."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def decisions_per_second(mandate: Mandate, n: int, *, distinct: int = 10_000) -> Timer:
    """Decide n generated cases; returns the timer (n / timer.cpu is the rate)."""
    records = list(generate_records(distinct, seed=1))
    cases = [(r.to_case(), r.occurred_at) for r in records]
    for case, at in cases[:1000]:  # warm up
        decide(case, mandate, now=at)
    rounds, rest = divmod(n, len(cases))
    work = cases * rounds + cases[:rest]
    with Timer() as timer:
        for case, at in work:
            decide(case, mandate, now=at)
    return timer


def replay_seconds(n: int, folder: Path) -> dict[str, Timer]:
    """Write n generated records, then time what `simulate` does: read, replay twice."""
    path = folder / "cases.jsonl"
    with Timer() as generate:
        write_records(generate_records(n, seed=2), path)
    draft, current = load_mandate(DRAFT), load_default()
    with Timer() as total:
        with Timer() as read:
            records = read_records(path)
        with Timer() as replay:
            compare(records, draft, current)
    return {"generate": generate, "read": read, "replay": replay, "total": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.bench", description=__doc__)
    parser.add_argument("--decisions", type=int, default=200_000)
    parser.add_argument("--replay", type=int, default=100_000)
    args = parser.parse_args(argv)
    one_core()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"one core, load average {load:.2f} on {os.cpu_count()} CPU(s)")
    timer = decisions_per_second(load_default(), args.decisions)
    rate = args.decisions / timer.cpu
    verdict = "ok" if rate >= DECISIONS_TARGET else "BELOW TARGET"
    print(
        f"decide(): {rate:,.0f} decisions/s of CPU time, {args.decisions / timer.wall:,.0f}/s "
        f"wall clock (target >= {DECISIONS_TARGET:,}/s: {verdict})"
    )
    with tempfile.TemporaryDirectory() as folder:
        t = replay_seconds(args.replay, Path(folder))
    scaled = t["total"].cpu * 100_000 / max(args.replay, 1)
    verdict = "ok" if scaled < REPLAY_TARGET else "ABOVE TARGET"
    print(
        f"simulate: {args.replay:,} cases read in {t['read'].cpu:.2f} s, replayed under draft "
        f"and current in {t['replay'].cpu:.2f} s: {t['total'].cpu:.2f} s of CPU time, "
        f"{t['total'].wall:.2f} s wall clock (target < {REPLAY_TARGET:.0f} s per 100,000: "
        f"{verdict}); generating them took {t['generate'].wall:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""python -m bench [turns|carriers|mandate|ledger|moments ...]: the benchmarks, in one run."""

from __future__ import annotations

import asyncio
import sys

from bench import turns
from carriers import bench as carrier_bench
from journeys import bench_ledger, bench_moments
from policies import bench as policy_bench

BENCHMARKS = {
    "carriers": lambda: asyncio.run(carrier_bench.main()),
    "mandate": lambda: policy_bench.main([]),
    "ledger": lambda: bench_ledger.main([]),
    "moments": lambda: bench_moments.main([]),
    "turns": turns.main,
}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names or BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run the carrier simulator: python -m carriers.simulator --host 127.0.0.1 --port 8090."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from carriers.simulator.app import create_app
from carriers.simulator.scenarios import DEFAULT_SCENARIOS, ScenarioFileError
from herstel.clock import Clock, FrozenClock, SystemClock
from herstel.serving import serve


def _aware(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from exc
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a UTC offset, e.g. 2025-03-14T10:30:00+01:00")
    return at


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m carriers.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    parser.add_argument("--scenarios", type=Path, default=DEFAULT_SCENARIOS)
    parser.add_argument("--now", type=_aware, help="freeze the clock at this ISO 8601 time")
    parser.add_argument("--world", type=Path, help="a demo world's stories (herstel demo seed)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    clock: Clock = FrozenClock(args.now) if args.now else SystemClock()
    try:
        app = create_app(args.scenarios, clock, args.world)
    except ScenarioFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    asyncio.run(serve(app, args.host, args.port, name="carrier simulator"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

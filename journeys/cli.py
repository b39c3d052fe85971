"""`herstel journeys export`: every recovery moment as JSON lines, for replays and analysis."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from herstel.clock import SystemClock
from herstel.reltime import parse_offset
from herstel.settings import Settings
from journeys.db import create_engine_for, migrate
from journeys.moments import MomentStore


def register(commands: Any) -> None:
    journeys = commands.add_parser("journeys", help="journey scores and recovery moments")
    sub = journeys.add_subparsers(dest="journeys_command", required=True)
    export = sub.add_parser("export", help="recovery moments as JSON lines on stdout")
    export.add_argument("--format", choices=["jsonl"], default="jsonl")
    export.add_argument("--since", help="only moments since then, e.g. 30d or 12h")
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    try:
        since = SystemClock().now() + parse_offset(f"-{args.since}") if args.since else None
    except ValueError as exc:
        print(f"herstel journeys export: --since: {exc}", file=sys.stderr)
        return 2
    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    try:
        return asyncio.run(_write(settings.journey_db_url, since))
    except SQLAlchemyError as exc:
        print(f"herstel journeys export: cannot read the journey store: {exc}", file=sys.stderr)
        return 1


async def _write(url: str, since: Any) -> int:
    await migrate(url)
    engine = create_engine_for(url)
    count = 0
    try:
        async for moment in MomentStore(engine).export(since):
            sys.stdout.write(json.dumps(moment, ensure_ascii=False) + "\n")
            count += 1
    finally:
        await engine.dispose()
    print(f"{count} recovery moment(s)", file=sys.stderr)
    return 0

"""`herstel journeys report|export|flush|backfill|migrate`: journey scores, the moments as JSON
lines, the outbox, journeys for the moments recorded before there were any, and the tables."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from herstel.clock import SystemClock
from herstel.reltime import parse_offset
from herstel.settings import Settings
from journeys import scoring
from journeys.backfill import BATCH, backfill
from journeys.db import create_engine_for, migrate
from journeys.moments import MomentStore
from journeys.outbox import Outbox
from journeys.report import Thresholds, build_report, render_report


def register(commands: Any) -> None:
    journeys = commands.add_parser("journeys", help="journey scores and recovery moments")
    sub = journeys.add_subparsers(dest="journeys_command", required=True)
    report = sub.add_parser("report", help="journey scores, 3E's and moments of truth")
    report.add_argument("--format", choices=["table", "json"], default="table")
    report.add_argument("--since", help="only moments since then, e.g. 30d or 12h")
    report.add_argument(
        "--satisfied",
        type=float,
        default=scoring.SATISFIED,
        help="touchpoint score from which a customer counts as satisfied",
    )
    report.add_argument(
        "--high-impact",
        type=float,
        default=scoring.HIGH_IMPACT,
        help="NPS points between satisfied and unsatisfied that count as high",
    )
    report.add_argument(
        "--min-answers",
        type=int,
        default=scoring.MIN_ANSWERS,
        help="NPS answers needed on each side before impact is computed",
    )
    report.set_defaults(handler=_report)
    export = sub.add_parser("export", help="recovery moments as JSON lines on stdout")
    export.add_argument("--format", choices=["jsonl"], default="jsonl")
    export.add_argument("--since", help="only moments since then, e.g. 30d or 12h")
    export.set_defaults(handler=_export)
    flush = sub.add_parser("flush", help="write the moments waiting in the local outbox")
    flush.set_defaults(handler=_flush)
    fill = sub.add_parser(
        "backfill", help="journeys, touchpoints and 3E's for moments recorded before them"
    )
    fill.add_argument("--batch", type=int, default=BATCH, help="moments per transaction")
    fill.set_defaults(handler=_backfill)
    tables = sub.add_parser("migrate", help="bring the journey store's tables up to date")
    tables.set_defaults(handler=lambda _: _run("migrate", _migrate))


async def _migrate(url: str, settings: Settings) -> int:
    await migrate(url)
    print("The journey store is up to date.")
    return 0


def _since(args: argparse.Namespace) -> datetime | None:
    if not args.since:
        return None
    return SystemClock().now() + parse_offset(f"-{args.since}")


def _run(name: str, work: Callable[[str, Settings], Coroutine[Any, Any, int]]) -> int:
    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    try:
        return asyncio.run(work(settings.journey_db_url, settings))
    except SQLAlchemyError as exc:
        print(f"herstel journeys {name}: cannot read the journey store: {exc}", file=sys.stderr)
        return 1


def _export(args: argparse.Namespace) -> int:
    try:
        since = _since(args)
    except ValueError as exc:
        print(f"herstel journeys export: --since: {exc}", file=sys.stderr)
        return 2
    return _run("export", lambda url, _: _write(url, since))


async def _write(url: str, since: datetime | None) -> int:
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


def _report(args: argparse.Namespace) -> int:
    try:
        since = _since(args)
    except ValueError as exc:
        print(f"herstel journeys report: --since: {exc}", file=sys.stderr)
        return 2
    if not 0 <= args.satisfied <= 1 or args.min_answers < 1:
        print(
            "herstel journeys report: --satisfied is 0-1, --min-answers at least 1", file=sys.stderr
        )
        return 2
    limits = Thresholds(args.satisfied, args.high_impact, args.min_answers)

    async def work(url: str, settings: Settings) -> int:
        await migrate(url)
        engine = create_engine_for(url)
        try:
            report = await build_report(engine, since, limits)
        finally:
            await engine.dispose()
        outbox = Outbox.in_var_dir(settings.var_dir)
        report["outbox"] = {"pending": await outbox.pending(), "dead": await outbox.dead()}
        if args.format == "json":
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            print(render_report(report))
        return 0

    return _run("report", work)


def _flush(args: argparse.Namespace) -> int:
    async def work(url: str, settings: Settings) -> int:
        outbox = Outbox.in_var_dir(settings.var_dir)
        if not outbox.path.exists():
            print("the outbox is empty")
            return 0
        await migrate(url)
        engine = create_engine_for(url)
        try:
            done = await MomentStore(engine, outbox).flush_outbox()
        finally:
            await engine.dispose()
        print(
            f"{done.moments} moment(s) and {done.scores} score(s) written, "
            f"{done.buried} refused; {await outbox.pending()} waiting, "
            f"{await outbox.dead()} refused in all"
        )
        return 0 if done.complete else 1

    return _run("flush", work)


def _backfill(args: argparse.Namespace) -> int:
    if args.batch < 1:
        print("herstel journeys backfill: --batch is at least 1", file=sys.stderr)
        return 2

    def show(done: int, total: int) -> None:
        print(f"{done:,} of {total:,} moment(s) backfilled ({100 * done // total}%)", flush=True)

    async def work(url: str, _: Settings) -> int:
        await migrate(url)
        engine = create_engine_for(url)
        try:
            done = await backfill(engine, args.batch, show)
        finally:
            await engine.dispose()
        if done:
            print(f"done: {done:,} moment(s) now have their journey, touchpoints and 3E's")
        else:
            print("nothing to backfill: every moment has its journey")
        return 0

    return _run("backfill", work)

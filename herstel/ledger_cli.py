"""`herstel ledger reconcile`: find where the shop and the gesture ledger disagree, and repair."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from herstel.bootstrap import build_shop
from herstel.clock import Clock, SystemClock
from herstel.reltime import parse_offset
from herstel.settings import Settings
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from recovery.reconcile import GRACE, Repair, reconcile, summary


def register(commands: Any) -> None:
    ledger = commands.add_parser("ledger", help="the gesture ledger and the shop")
    sub = ledger.add_subparsers(dest="ledger_command", required=True)
    check = sub.add_parser(
        "reconcile", help="repair gestures the shop and the ledger disagree on, and say what"
    )
    check.add_argument("--since", default="7d", help="gestures changed since then (e.g. 7d)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.set_defaults(handler=_reconcile)


async def run_reconcile(settings: Settings, clock: Clock, since: str = "7d") -> list[Repair]:
    """Reconcile against the shop configured in the settings (also run at start-up)."""
    await migrate(settings.journey_db_url)
    engine = create_engine_for(settings.journey_db_url)
    shop, close_shop = await build_shop(settings, clock)
    try:
        ledger = GestureLedger(engine, clock)
        window = -parse_offset(f"-{since}")
        return await reconcile(ledger, shop, clock.now(), since=window, grace=GRACE)
    finally:
        await close_shop()
        await engine.dispose()


def _reconcile(args: argparse.Namespace) -> int:
    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    try:
        repairs = asyncio.run(run_reconcile(settings, SystemClock(), args.since))
    except (SQLAlchemyError, ValueError) as exc:
        print(f"herstel ledger reconcile: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps({"repairs": [asdict(r) for r in repairs]}, indent=2))
    else:
        print(summary(repairs))
    # Something only a person can sort out: say so in the exit code too.
    return 1 if any(r.did == "reported" for r in repairs) else 0

"""herstel demo seed | reset: a demo world big enough to load-test, and a fresh start."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from demoworld import service
from herstel.clock import SystemClock
from herstel.settings import Settings


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="seed or reset the demo world (demo shop, stories)")
    verbs = demo.add_subparsers(dest="demo_command", required=True)
    seed = verbs.add_parser("seed", help="generate customers, orders and parcel stories")
    seed.add_argument("--orders", type=_positive, required=True)
    seed.add_argument("--customers", type=_positive, required=True)
    seed.add_argument("--seed", type=int, default=1, help="the same seed gives the same world")
    seed.set_defaults(handler=_seed)
    reset = verbs.add_parser("reset", help="back to the README's orders, with no history")
    reset.set_defaults(handler=_reset)


def _seed(args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.shop != "demo":
        print("herstel demo seeds the demo shop; HERSTEL_SHOP is", settings.shop)
        return 2
    try:
        world = asyncio.run(
            service.seed(settings, SystemClock(), args.orders, args.customers, args.seed)
        )
    except ValueError as exc:
        print(exc)
        return 2
    print(
        f"Demo world (seed {args.seed}): {world.generated} orders for {args.customers} customers "
        f"besides the README's; the demo shop holds {world.orders}. The carrier simulator "
        f"plays their stories from {service.world_path(settings)}."
    )
    return 0


def _reset(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        world = asyncio.run(service.reset(settings, SystemClock()))
    except service.NotTheDemo as exc:
        print(exc)
        return 2
    print(f"Demo reset: {world.orders} README orders, no gestures, cases or moments.")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value

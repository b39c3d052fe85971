"""Run the Shopify simulator: python -m shop.shopify.simulator --port 8091 [--world FILE]."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from herstel.serving import serve
from shop.demo import DEFAULT_SEED
from shop.shopify.simulator.app import create_app
from shop.world import load_orders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.shopify.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091, help="0 picks a free port")
    parser.add_argument("--token", default="simulator", help="the access token it accepts")
    parser.add_argument("--world", type=Path, help="a generated demo world (herstel demo seed)")
    args = parser.parse_args(argv)
    specs = [load_orders(DEFAULT_SEED)]
    if args.world and args.world.exists():
        specs.append(load_orders(args.world))
    app = create_app(specs, access_token=args.token)
    asyncio.run(serve(app, args.host, args.port, name="Shopify simulator"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

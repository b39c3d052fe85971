"""python -m desk --port 8080: serve the desk on loopback."""

from __future__ import annotations

import argparse

from aiohttp import web

from desk.app import create_app
from herstel.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m desk")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(create_app(Settings()), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()

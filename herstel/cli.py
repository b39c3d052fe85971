"""The `herstel` command line: run the product, train the model, and operators' tools."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Sequence

from demoworld import cli as demo_cli
from demoworld import service as demo_world
from herstel import ledger_cli
from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import Ports, Stack
from herstel.model import ensure_model
from herstel.settings import ROOT, Settings
from journeys import cli as journeys_cli
from policies import cli as policies_cli
from recovery.reconcile import summary as reconcile_summary


def agents_line(settings: Settings, desk_url: str) -> str:
    if settings.slack_bot_token.get_secret_value():
        return f"Agents:          Slack channel {settings.slack_channel or '(not set)'}"
    return f"Agent inbox:     {desk_url}/inbox"


def _run(args: argparse.Namespace) -> int:
    model = ensure_model(ROOT)
    settings = Settings()
    count = asyncio.run(prepare(settings, SystemClock()))
    if settings.shop == "demo":
        fresh = demo_world.is_embedded_demo(settings) and not args.keep_history
        if fresh:  # the stories start again from now, so does their history
            asyncio.run(demo_world.forget_history(settings, SystemClock()))
        history = "starting afresh" if fresh else "history kept"
        print(f"Demo shop ready with {count} orders, {history} (README: Demo orders).", flush=True)
    # The start-up check: the shop and the ledger must agree before anyone is served.
    repairs = asyncio.run(ledger_cli.run_reconcile(settings, SystemClock(), since="2d"))
    print(reconcile_summary(repairs), flush=True)
    stack = Stack(
        Ports(args.rasa_port, args.actions_port, args.simulator_port, args.desk_port),
        var_dir=settings.var_dir,
        model=model,
    )
    # The supervisor's lines (a process exited and is started again) go to the console.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    # SIGTERM (process managers, `kill`) stops everything the way Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        print("Starting the carrier simulator, action server, desk and Rasa server...", flush=True)
        stack.start()
        print(
            f"\nHerstel is running.\n"
            f"  Web chat:        {stack.url('desk')}/\n"
            f"  REST channel:    POST {stack.url('rasa')}/webhooks/rest/webhook\n"
            f"  {agents_line(settings, stack.url('desk'))}\n"
            f"  CX dashboard:    {stack.url('desk')}/dashboard\n"
            f"  Logs:            {stack.log_dir}\n"
            f"A process that stops is started again. Press Ctrl-C to stop.",
            flush=True,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C (or make passing the signal on) must not cut the shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("Stopping...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)
    return 0


def _train(args: argparse.Namespace) -> int:
    ensure_model(ROOT, force=args.force)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herstel", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start everything on loopback with embedded defaults")
    defaults = Ports()
    run.add_argument("--rasa-port", type=int, default=defaults.rasa)
    run.add_argument("--actions-port", type=int, default=defaults.actions)
    run.add_argument("--simulator-port", type=int, default=defaults.simulator)
    run.add_argument("--desk-port", type=int, default=defaults.desk)
    run.add_argument(
        "--keep-history",
        action="store_true",
        help="keep the demo's gestures, cases and moments from earlier runs",
    )
    run.set_defaults(handler=_run)
    train = commands.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    train.set_defaults(handler=_train)
    policies_cli.register(commands)
    journeys_cli.register(commands)
    demo_cli.register(commands)
    ledger_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())

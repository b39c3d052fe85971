"""Serve an aiohttp app on one host and port until SIGINT or SIGTERM (the simulators)."""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web


async def serve(app: web.Application, host: str, port: int, *, name: str) -> None:
    """Print one line once the port is open, then serve until told to stop."""
    # handler_cancellation: a client that timed out on a slow answer frees its handler.
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_port = runner.addresses[0][1]
        print(f"{name} listening on http://{host}:{bound_port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()

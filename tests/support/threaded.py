"""Serve an aiohttp app from a background thread, for tests whose code under test runs in
other processes (the e2e stack) and so needs a real port to call."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from aiohttp import web


class BackgroundServer:
    def __init__(self, app: Callable[[], web.Application], port: int) -> None:
        self._app = app
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundServer:
        ready = threading.Event()

        async def serve() -> None:
            self._runner = web.AppRunner(self._app(), shutdown_timeout=1)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"server-{self.port}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"the server on port {self.port} did not start")
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

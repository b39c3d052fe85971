"""The Shopify simulator on a free loopback port, and an adapter pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from shop.demo import DEFAULT_SEED
from shop.shopify.simulator import create_app
from shop.shopify.simulator.app import Bucket
from shop.world import load_orders

API_VERSION = "2026-10"


@dataclass
class RunningSimulator:
    base_url: str
    app: web.Application

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/admin/api/{API_VERSION}/graphql.json"

    async def order_faults(self, **faults: Any) -> None:
        """E.g. order_faults(timeout=1, delay=2, operation="HerstelRefundCreate")."""
        url = f"{self.base_url}/_simulator/faults"
        async with aiohttp.ClientSession() as session, session.post(url, json=faults) as reply:
            reply.raise_for_status()

    async def state(self) -> dict[str, Any]:
        url = f"{self.base_url}/_simulator/state"
        async with aiohttp.ClientSession() as session, session.get(url) as reply:
            return dict(await reply.json())


@asynccontextmanager
async def shopify_simulator(bucket: Bucket | None = None) -> AsyncIterator[RunningSimulator]:
    """Seeded with the README's demo orders."""
    app = create_app([load_orders(DEFAULT_SEED)], bucket=bucket)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield RunningSimulator(f"http://127.0.0.1:{runner.addresses[0][1]}", app)
    finally:
        await runner.cleanup()

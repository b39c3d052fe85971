"""The Shopify simulator: the Admin GraphQL endpoint of one store, with Shopify's cost-based
throttling, and faults a test or demo can order (throttled, 5xx, an answer that comes too late).

POST /admin/api/{version}/graphql.json    X-Shopify-Access-Token: <token>
POST /_simulator/faults   {"throttle": 2} | {"server_error": 1} | {"timeout": 1, "delay": 3}
                          (optional "operation": "HerstelGiftCardCreate" narrows it to one)
GET  /_simulator/state    the gift cards, refunds and draft orders made so far
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from graphql import build_schema, graphql

from herstel.clock import Clock, SystemClock
from shop.shopify.simulator.resolvers import Resolvers
from shop.shopify.simulator.store import Store

SCHEMA = Path(__file__).with_name("schema.graphql")
MAX_BODY = 256 * 1024
_VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")
QUERY_COST, MUTATION_COST = 20, 10


@dataclass
class Bucket:
    """Shopify's leaky bucket of query cost (the Standard plan's figures by default)."""

    maximum: float = 1000.0
    restore_rate: float = 100.0
    available: float = 1000.0
    at: float = field(default_factory=time.monotonic)

    def take(self, cost: float) -> bool:
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.at) * self.restore_rate)
        self.at = now
        if cost > self.available:
            return False
        self.available -= cost
        return True

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": round(self.available, 1),
            "restoreRate": self.restore_rate,
        }


@dataclass
class Faults:
    """Faults still to play, each for the next N matching calls."""

    throttle: int = 0
    server_error: int = 0
    timeout: int = 0
    delay: float = 5.0
    operation: str | None = None

    def take(self, kind: str, operation: str | None) -> bool:
        if getattr(self, kind) <= 0 or (self.operation and self.operation != operation):
            return False
        setattr(self, kind, getattr(self, kind) - 1)
        return True


STORE = web.AppKey("store", Store)
FAULTS = web.AppKey("faults", Faults)
BUCKET = web.AppKey("bucket", Bucket)
SETTINGS = web.AppKey("settings", dict[str, Any])


def create_app(
    specs: list[dict[str, Any]],
    clock: Clock | None = None,
    *,
    access_token: str = "simulator",
    bucket: Bucket | None = None,
) -> web.Application:
    """A store seeded from order specs (the demo world's format), times relative to now."""
    clock = clock or SystemClock()
    store = Store()
    for spec in specs:
        store.seed(spec, clock.now())
    app = web.Application(client_max_size=MAX_BODY)
    app[STORE], app[FAULTS], app[BUCKET] = store, Faults(), bucket or Bucket()
    app[SETTINGS] = {"token": access_token, "clock": clock, "schemas": {}}
    app.router.add_post("/admin/api/{version}/graphql.json", admin_graphql)
    app.router.add_post("/_simulator/faults", set_faults)
    app.router.add_get("/_simulator/state", state)
    app.router.add_get("/_simulator/health", health)
    return app


async def admin_graphql(request: web.Request) -> web.Response:
    app = request.app
    if request.headers.get("X-Shopify-Access-Token") != app[SETTINGS]["token"]:
        message = "[API] Invalid API key or access token (unrecognized login or wrong password)"
        return web.json_response({"errors": message}, status=401)
    version = request.match_info["version"]
    if not _VERSION.match(version):
        return web.json_response({"errors": "Not Found"}, status=404)
    try:
        body = await request.json()
        document, operation = str(body["query"]), body.get("operationName")
        variables = body.get("variables") or {}
    except (ValueError, KeyError, TypeError):
        return web.json_response({"errors": {"query": "Required parameter missing"}}, status=400)
    faults, bucket = app[FAULTS], app[BUCKET]
    if faults.take("server_error", operation):
        return web.json_response({"errors": "Internal Server Error"}, status=500)
    cost = MUTATION_COST if document.lstrip().startswith("mutation") else QUERY_COST
    if faults.take("throttle", operation) or not bucket.take(cost):
        return web.json_response(_throttled(cost, bucket))
    result = await graphql(
        _schema(app, version), document, variable_values=variables, operation_name=operation
    )
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    answer["extensions"] = {"cost": _cost(cost, cost, bucket)}
    if faults.take("timeout", operation):
        await asyncio.sleep(faults.delay)  # done, but the answer comes too late
    return web.json_response(answer)


def _schema(app: web.Application, version: str) -> Any:
    schemas = app[SETTINGS]["schemas"]
    if version not in schemas:
        schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
        Resolvers(app[STORE], app[SETTINGS]["clock"], version).install(schema)
        schemas[version] = schema
    return schemas[version]


def _throttled(cost: int, bucket: Bucket) -> dict[str, Any]:
    status = _cost(cost, None, bucket)
    status["throttleStatus"]["currentlyAvailable"] = min(
        status["throttleStatus"]["currentlyAvailable"], cost / 2
    )
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": {"cost": status},
    }


def _cost(requested: int, actual: int | None, bucket: Bucket) -> dict[str, Any]:
    return {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": bucket.status(),
    }


async def set_faults(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        faults = Faults(**body)
    except (ValueError, TypeError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    request.app[FAULTS].__dict__.update(faults.__dict__)  # the app's state is frozen once started
    return web.json_response({"faults": faults.__dict__})


async def state(request: web.Request) -> web.Response:
    return web.json_response(request.app[STORE].counts())


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "orders": len(request.app[STORE].orders)})

"""The desk's aiohttp application: web chat page, Slack interactivity, the local agent inbox,
the CX dashboard."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp import web

from desk import chat_routes, dashboard_routes, inbox_routes, slack_routes
from desk.keys import HTTP, SERVICES, SETTINGS, TASKS
from herstel.bootstrap import Services, bootstrap
from herstel.settings import ROOT, Settings

WEBCHAT = ROOT / "bot" / "webchat"


def create_app(settings: Settings, services: Services | None = None) -> web.Application:
    """services: ready-made ones (tests); by default the real ones are built at start-up."""
    app = web.Application(client_max_size=1024**2)
    app[SETTINGS] = settings
    app[TASKS] = set()
    app.cleanup_ctx.append(_lifetime(services))
    app.router.add_get("/", _webchat_page)
    app.router.add_get("/config.json", _webchat_config)
    app.router.add_get("/health", _health)
    app.router.add_static("/webchat/", WEBCHAT)
    chat_routes.add(app)
    slack_routes.add(app)
    inbox_routes.add(app)
    dashboard_routes.add(app)
    return app


def _lifetime(given: Services | None):  # type: ignore[no-untyped-def]
    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        services = given or await bootstrap(app[SETTINGS])
        app[SERVICES] = services
        app[HTTP] = aiohttp.ClientSession()
        # What Slack or Rasa did not take at once is delivered from here once they take it.
        courier = services.courier and asyncio.create_task(services.courier.keep_delivering())
        yield
        if courier is not None:
            courier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await courier
        for task in list(app[TASKS]):
            await task  # finish what was acknowledged before stopping
        await app[HTTP].close()
        if given is None:
            await services.close()

    return lifetime


async def _webchat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(Path(WEBCHAT / "index.html"))


async def _webchat_config(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    return web.json_response({"rasaUrl": settings.rasa_public_url or settings.rasa_url})


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})

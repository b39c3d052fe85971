"""The desk's aiohttp application factory."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from herstel.settings import ROOT, Settings

WEBCHAT = ROOT / "bot" / "webchat"


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app["settings"] = settings
    app.router.add_get("/", _webchat_page)
    app.router.add_get("/config.json", _webchat_config)
    app.router.add_get("/health", _health)
    app.router.add_static("/webchat/", WEBCHAT)
    return app


async def _webchat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(Path(WEBCHAT / "index.html"))


async def _webchat_config(request: web.Request) -> web.Response:
    settings: Settings = request.app["settings"]
    return web.json_response({"rasaUrl": settings.rasa_public_url or settings.rasa_url})


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})

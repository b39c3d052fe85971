"""The CX dashboard: journey scores, moments of truth and budgets, and a draft mandate replayed.

Loopback only unless HERSTEL_DASHBOARD_TOKEN is set; then every API call carries it as a
bearer token. The page itself holds no data, so it is served to anyone who can reach it.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from desk.dashboard_service import DashboardService, DraftRejected, ReplayBusy
from desk.keys import SERVICES, SETTINGS
from herstel.reltime import parse_offset

log = logging.getLogger(__name__)
PAGE = Path(__file__).parent / "dashboard"
MAX_DRAFT_BYTES = 128 * 1024  # the default mandate is about 12 KB
# Not a CORS-safelisted type: a page on another site cannot post a draft without a preflight.
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add(app: web.Application) -> None:
    app.router.add_get("/dashboard", _page)
    app.router.add_get("/dashboard/api/report", _guarded(_report))
    app.router.add_get("/dashboard/api/mandate", _guarded(_mandate))
    app.router.add_post("/dashboard/api/simulate", _guarded(_simulate))
    app.router.add_static("/dashboard/static/", PAGE)


async def _page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(PAGE / "index.html")


def _guarded(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        if request.app[SERVICES].dashboard is None:
            return _error(503, "the dashboard is not set up in this desk")
        try:
            return await handler(request)
        except SQLAlchemyError as exc:
            log.warning("dashboard: the journey store cannot be read (%s)", type(exc).__name__)
            return _error(503, "the journey store cannot be read right now; retrying helps")

    return guarded


def _refusal(request: web.Request) -> web.Response | None:
    token = request.app[SETTINGS].dashboard_token.get_secret_value()
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode()):
            return None
        response = _error(401, "a bearer token is required (HERSTEL_DASHBOARD_TOKEN)")
        response.headers["WWW-Authenticate"] = 'Bearer realm="herstel-dashboard"'
        return response
    if not _is_loopback(request.remote):
        return _error(
            403, "the dashboard answers only on this machine unless HERSTEL_DASHBOARD_TOKEN is set"
        )
    return None


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:  # not an IP address (a Unix socket behind a proxy): not known local
        return False


def _service(request: web.Request) -> DashboardService:
    service = request.app[SERVICES].dashboard
    assert service is not None  # _guarded answered 503 otherwise
    return service


def _period(request: web.Request) -> timedelta | None:
    """?since=30d (or 12h, 1d12h); none or "all": everything recorded."""
    text = request.query.get("since", "").strip()
    if text in ("", "all"):
        return None
    try:
        period = parse_offset("+" + text)
    except ValueError:
        period = timedelta(0)
    if period <= timedelta(0):
        message = {"error": "since must be a period like 30d, 7d or 12h, or all"}
        raise web.HTTPBadRequest(text=json.dumps(message), content_type="application/json")
    return period


async def _report(request: web.Request) -> web.Response:
    return web.json_response(await _service(request).report(_period(request)))


async def _mandate(request: web.Request) -> web.Response:
    return web.json_response(await _service(request).mandate())


async def _simulate(request: web.Request) -> web.Response:
    period = _period(request)
    if request.content_type not in YAML_TYPES:
        return _error(415, "send the draft mandate as YAML (Content-Type: application/yaml)")
    body = await _limited_body(request)
    if body is None:
        return _error(413, f"the draft is larger than {MAX_DRAFT_BYTES // 1024} KB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "the draft is not UTF-8 text", errors=["draft: error: not UTF-8 text"])
    try:
        result = await _service(request).simulate(text, period)
    except DraftRejected as exc:
        return _error(
            400, "the draft does not pass the check", errors=exc.errors, warnings=exc.warnings
        )
    except ReplayBusy:
        return _error(429, "a replay is already running; try again when it is done")
    log.info(
        "dashboard replay: %d case(s), draft %s against %s",
        result["cases"],
        result["draft"]["policy"]["version"],
        result["current"]["policy"]["version"],
    )
    return web.json_response(result)


async def _limited_body(request: web.Request) -> bytes | None:
    """The body, or None once it is larger than MAX_DRAFT_BYTES (read no further)."""
    if request.content_length is not None and request.content_length > MAX_DRAFT_BYTES:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        body += chunk
        if len(body) > MAX_DRAFT_BYTES:
            return None
    return bytes(body)


def _error(status: int, message: str, **details: list[str]) -> web.Response:
    return web.json_response({"error": message, **details}, status=status)

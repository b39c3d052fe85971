"""The carrier simulator: PostNL and DHL tracking APIs on one local host, driven by scenarios."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from carriers.simulator import dhl_body, postnl_body
from carriers.simulator.scenarios import (
    DEFAULT_SCENARIOS,
    Scenario,
    ScenarioBook,
    load_scenarios,
)
from herstel.clock import Clock, SystemClock

PROBLEM_JSON = "application/problem+json"


class SimulatorClock:
    """A base clock plus an offset that tests and demos can set or move.

    In UTC: arithmetic on Europe/Amsterdam datetimes is wall-clock arithmetic and would
    be an hour off across a change to or from summer time.
    """

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now().astimezone(UTC) + self._offset

    def set(self, at: datetime) -> None:
        self._offset = at.astimezone(UTC) - self._base.now().astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


SCENARIOS = web.AppKey("scenarios", ScenarioBook)
CLOCK = web.AppKey("clock", SimulatorClock)


def create_app(
    scenarios_path: Path | str | None = None,
    clock: Clock | None = None,
    world: Path | None = None,
) -> web.Application:
    """Raises ScenarioFileError at start-up, naming the tracking number and field, on a bad file.
    A demo world's stories (`world`) are added, and re-read when the file changes."""
    app = web.Application()
    app[SCENARIOS] = ScenarioBook(load_scenarios(scenarios_path or DEFAULT_SCENARIOS), world)
    app[CLOCK] = SimulatorClock(clock or SystemClock())
    app.router.add_get("/shipment/v2/status/barcode/{barcode}", postnl_status)
    app.router.add_get("/track/shipments", dhl_shipments)
    app.router.add_get("/_simulator/health", health)
    app.router.add_get("/_simulator/scenarios", list_scenarios)
    app.router.add_get("/_simulator/clock", show_clock)
    app.router.add_post("/_simulator/clock", move_clock)
    return app


async def postnl_status(request: web.Request) -> web.Response:
    if not request.headers.get("apikey", "").strip():
        return _json(postnl_body.UNAUTHORIZED, status=401)
    barcode = request.match_info["barcode"].strip().upper()
    detail = request.query.get("detail", "false").lower() == "true"
    scenario = _scenario(request, barcode, "postnl")
    if scenario is None:
        return _json(postnl_body.not_found(detail=detail))
    failure = await _misbehave(scenario, postnl_body.RATE_LIMITED, postnl_body.SERVER_ERROR)
    if failure is not None:
        return failure
    now = _now(request)
    return _json(postnl_body.status_body(barcode, scenario, now, detail=detail))


async def dhl_shipments(request: web.Request) -> web.Response:
    if not request.headers.get("DHL-API-Key", "").strip():
        return _json(dhl_body.UNAUTHORIZED, status=401, content_type=PROBLEM_JSON)
    number = request.query.get("trackingNumber", "").strip().upper()
    if not number:
        return _json(dhl_body.BAD_REQUEST, status=400, content_type=PROBLEM_JSON)
    scenario = _scenario(request, number, "dhl")
    if scenario is None:
        return _json(dhl_body.not_found(number), status=404, content_type=PROBLEM_JSON)
    failure = await _misbehave(
        scenario, dhl_body.RATE_LIMITED, dhl_body.SERVER_ERROR, content_type=PROBLEM_JSON
    )
    if failure is not None:
        return failure
    return _json(dhl_body.shipments_body(number, scenario, _now(request)))


def _scenario(request: web.Request, number: str, carrier: str) -> Scenario | None:
    """None means "not found": unknown, another carrier's parcel, or a not_found scenario."""
    scenario = request.app[SCENARIOS].get(number)
    if scenario is None or scenario.carrier != carrier or scenario.behaviour == "not_found":
        return None
    return scenario


async def _misbehave(
    scenario: Scenario,
    rate_limited: dict[str, Any],
    server_error: dict[str, Any],
    *,
    content_type: str = "application/json",
) -> web.Response | None:
    """The failure a scenario plays, if any; "slow" waits and then answers normally."""
    if scenario.behaviour == "rate_limited":
        headers = {"Retry-After": "1"}
        return _json(rate_limited, status=429, content_type=content_type, headers=headers)
    if scenario.behaviour == "server_error":
        return _json(server_error, status=500, content_type=content_type)
    if scenario.behaviour == "slow":
        await asyncio.sleep(scenario.delay_seconds)
    return None


async def health(request: web.Request) -> web.Response:
    return _json({"status": "ok", "scenarios": len(request.app[SCENARIOS])})


async def list_scenarios(request: web.Request) -> web.Response:
    rows = [
        {
            "tracking_number": number,
            "carrier": s.carrier,
            "behaviour": s.behaviour,
            "story": s.story,
        }
        for number, s in request.app[SCENARIOS].items()
    ]
    return _json({"scenarios": rows})


async def show_clock(request: web.Request) -> web.Response:
    return _json({"now": _now(request).isoformat()})


async def move_clock(request: web.Request) -> web.Response:
    """{"now": "2025-03-14T11:30:00+01:00"} sets the clock; {"advance_seconds": N} moves it."""
    try:
        body = await request.json()
        if "now" in body:
            at = datetime.fromisoformat(body["now"])
            if at.tzinfo is None:
                raise ValueError("'now' needs a UTC offset, e.g. +01:00 or Z")
            request.app[CLOCK].set(at)
        elif "advance_seconds" in body:
            request.app[CLOCK].advance(timedelta(seconds=float(body["advance_seconds"])))
        else:
            raise ValueError('send {"now": ISO8601} or {"advance_seconds": N}')
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        return _json({"error": str(exc)}, status=400)
    return await show_clock(request)


def _now(request: web.Request) -> datetime:
    # Whole seconds: carriers report seconds, and both shapes then agree exactly.
    return request.app[CLOCK].now().replace(microsecond=0)


def _json(
    body: Any,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=content_type,
        charset="utf-8",
        headers=headers,
    )

"""The local agent inbox: the same cards and actions as in Slack, when Slack is not set up."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from aiohttp import web

from desk.keys import SERVICES, SETTINGS
from escalation.card_queue import Waiting
from escalation.cards import case_card
from escalation.model import Case, to_json
from escalation.store import CaseNotFound
from herstel.bootstrap import agent_directory

PAGE = Path(__file__).parent / "inbox"


def add(app: web.Application) -> None:
    app.router.add_get("/inbox", _page)
    app.router.add_get("/inbox/api/agents", _agents)
    app.router.add_get("/inbox/api/cases", _cases)
    app.router.add_post("/inbox/api/cases/{case_id}/act", _act)
    app.router.add_static("/inbox/static/", PAGE)


def _slack(request: web.Request) -> bool:
    return bool(request.app[SETTINGS].slack_bot_token.get_secret_value())


def _enabled(request: web.Request) -> None:
    # With Slack configured, agents work in Slack and the inbox holds only the cases whose
    # card Slack has not taken yet; then it answers on loopback only, as an unauthenticated
    # page on the desk's public side would be a way around Slack's signed requests.
    if _slack(request) and not _is_loopback(request.remote):
        raise web.HTTPNotFound(text="The inbox is off: agents work in Slack.")


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


async def _page(request: web.Request) -> web.FileResponse:
    _enabled(request)
    return web.FileResponse(PAGE / "index.html")


async def _agents(request: web.Request) -> web.Response:
    _enabled(request)
    agents = agent_directory(request.app[SETTINGS])
    return web.json_response(
        [{"user_id": a.user_id, "name": a.name, "level": a.level.value} for a in agents]
    )


async def _cases(request: web.Request) -> web.Response:
    _enabled(request)
    services = request.app[SERVICES]
    waiting = await services.courier.queue.waiting() if services.courier else {}
    if _slack(request):  # only what agents cannot see in Slack
        cases = [await services.escalation.case(case_id) for case_id in waiting]
    else:
        cases = await services.escalation.cases()
    return web.json_response(
        [_view(request, case, waiting.get(case.file.case_id)) for case in cases]
    )


async def _act(request: web.Request) -> web.Response:
    _enabled(request)
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "the body is not JSON"}, status=400)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) and body.get(k) for k in ("action_id", "user_id")
    ):
        return web.json_response({"error": "action_id and user_id are required"}, status=400)
    try:
        result = await request.app[SERVICES].escalation.act(
            body["action_id"],
            request.match_info["case_id"],
            body["user_id"],
            offer_key=_str(body.get("offer_key")),
            text=_str(body.get("text")),
        )
    except CaseNotFound:
        return web.json_response({"error": "no such case"}, status=404)
    case = _view(request, result.case) if result.case else None
    return web.json_response({"done": result.done, "note": result.note, "case": case})


def _view(request: web.Request, case: Case, waiting: Waiting | None = None) -> dict:
    show = request.app[SETTINGS].show_customer_names
    return {
        "case_id": case.file.case_id,
        "note": _not_in_slack(waiting) if waiting and _slack(request) else None,
        "status": case.state.status.value,
        "owner": case.state.owner_name,
        "language": case.file.language,
        "thread": to_json(case.state.thread),
        "card": case_card(case, show_names=show),
    }


def _not_in_slack(waiting: Waiting) -> str:
    if not waiting.attempts:
        return "Not in Slack yet: it is being posted there."
    tries = "1 try" if waiting.attempts == 1 else f"{waiting.attempts} tries"
    return (
        f"Not in Slack yet: Slack answered {waiting.error or 'nothing'} ({tries}). It is posted "
        "there as soon as Slack takes it; meanwhile you can act on it here."
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None

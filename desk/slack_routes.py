"""Slack's interactivity endpoint: verify, acknowledge at once, act after the ack."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from desk.keys import SERVICES, SETTINGS, TASKS
from escalation.interactivity import BadInteraction, Interaction, parse_interaction
from escalation.signing import BadSignature, verify_slack_request

log = logging.getLogger(__name__)


def add(app: web.Application) -> None:
    app.router.add_post("/slack/interactivity", interactivity)


async def interactivity(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].slack_signing_secret.get_secret_value()
    if not secret:
        return _error(503, "Slack is not configured on this desk")
    body = await request.read()
    try:
        verify_slack_request(secret, request.headers, body, time.time())
    except BadSignature as exc:
        log.warning("slack interactivity rejected: %s", exc)
        return _error(401, f"bad signature: {exc}")
    try:
        interaction = parse_interaction(body)
    except BadInteraction as exc:
        return _error(400, str(exc))
    # Slack wants an answer within 3 s; the gesture, the card and the customer come after.
    task = asyncio.create_task(_handle(request.app, interaction))
    request.app[TASKS].add(task)
    task.add_done_callback(request.app[TASKS].discard)
    return web.Response(status=200)


async def _handle(app: web.Application, interaction: Interaction) -> None:
    services = app[SERVICES]
    try:
        result = await services.escalation.act(
            interaction.action_id,
            interaction.case_id,
            interaction.user_id,
            offer_key=interaction.offer_key,
            text=interaction.message_text,
            trigger_id=interaction.trigger_id if interaction.type == "block_actions" else None,
        )
    except Exception:
        log.exception("case %s: %s failed", interaction.case_id, interaction.action_id)
        return
    if not result.done:
        log.info("case %s: %s refused: %s", interaction.case_id, interaction.action_id, result.note)
        await services.escalation.tell_agent(interaction.case_id, interaction.user_id, result.note)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)

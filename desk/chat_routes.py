"""What the bot said outside a customer's own turn (an agent's decision or message).

The REST channel only answers the request it gets, so the web chat asks here for bot
messages it has not seen; the desk reads them from Rasa's tracker with its token.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp
from aiohttp import web

from desk.keys import HTTP, SETTINGS

log = logging.getLogger(__name__)
MAX_SENDER = 128


def add(app: web.Application) -> None:
    app.router.add_get("/chat/{sender}/messages", _messages)


async def _messages(request: web.Request) -> web.Response:
    sender = request.match_info["sender"]
    if not 0 < len(sender) <= MAX_SENDER:
        return web.json_response({"error": "bad conversation id"}, status=400)
    try:
        after = float(request.query.get("after", "0"))
    except ValueError:
        return web.json_response({"error": "after must be a number (seconds)"}, status=400)
    settings = request.app[SETTINGS]
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{quote(sender, safe='')}/tracker"
    params = {"token": settings.rasa_token.get_secret_value(), "include_events": "AFTER_RESTART"}
    try:
        async with request.app[HTTP].get(
            url, params=params, timeout=aiohttp.ClientTimeout(total=10)
        ) as response:
            if response.status != 200:
                log.warning("tracker lookup answered %s", response.status)
                return web.json_response({"error": "conversation unavailable"}, status=502)
            tracker = await response.json()
    except (aiohttp.ClientError, TimeoutError):
        log.warning("tracker lookup failed", exc_info=True)
        return web.json_response({"error": "conversation unavailable"}, status=502)
    messages = [
        {
            "text": event.get("text"),
            "buttons": (event.get("data") or {}).get("buttons") or [],
            "timestamp": event["timestamp"],
        }
        for event in tracker.get("events") or []
        if event.get("event") == "bot" and event.get("timestamp", 0) > after
    ]
    return web.json_response({"messages": messages})

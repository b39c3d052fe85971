"""A local stand-in for the WhatsApp Cloud API's messages endpoint, for end-to-end tests.

It checks every message the Rasa server sends against the Cloud API's shapes and limits,
answers 400 (as Meta does) when one is wrong, and records what it accepted and refused.
It runs on its own event loop in a thread, so synchronous tests can use it.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from herstel.launcher import free_port

APP_SECRET = "standin-app-secret"
VERIFY_TOKEN = "standin-verify-token"
ACCESS_TOKEN = "standin-access-token"
PHONE_NUMBER_ID = "106540352242922"
API_VERSION = "v23.0"

UPDATE_TEMPLATE = "herstel_case_update"  # as approved in WhatsApp Manager


def standin_env(port: int | None = None) -> dict[str, str]:
    """The Rasa server's WhatsApp settings, pointing at a stand-in on `port`."""
    return {
        "HERSTEL_WHATSAPP_APP_SECRET": APP_SECRET,
        "HERSTEL_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "HERSTEL_WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "HERSTEL_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "HERSTEL_WHATSAPP_API_URL": f"http://127.0.0.1:{port or free_port()}",
        "HERSTEL_WHATSAPP_API_VERSION": API_VERSION,
    }


def problems_with(message: Any) -> list[str]:
    """What the Cloud API would refuse in a messages request body."""
    if not isinstance(message, dict):
        return ["body is not a JSON object"]
    problems = []
    if message.get("messaging_product") != "whatsapp":
        problems.append("messaging_product must be 'whatsapp'")
    if not str(message.get("to") or "").isdigit():
        problems.append("to must be the customer's wa_id")
    kind = message.get("type")
    if kind == "text":
        problems += _text_length("text.body", _get(message, "text", "body"), 4096)
    elif kind == "interactive":
        problems += _interactive_problems(message.get("interactive") or {})
    elif kind == "template":
        problems += _text_length("template.name", _get(message, "template", "name"), 512)
        if not _get(message.get("template") or {}, "language", "code"):
            problems.append("template.language.code is missing")
    else:
        problems.append(f"unexpected message type {kind!r}")
    return problems


def _interactive_problems(interactive: dict[str, Any]) -> list[str]:
    problems = _text_length("interactive.body.text", _get(interactive, "body", "text"), 1024)
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            problems.append(f"{len(buttons)} reply buttons (1-3 allowed)")
        for button in buttons:
            if button.get("type") != "reply":
                problems.append("a reply button needs type 'reply'")
            problems += _text_length("button title", _get(button, "reply", "title"), 20)
            problems += _text_length("button id", _get(button, "reply", "id"), 256)
        ids = [_get(b, "reply", "id") for b in buttons]
        titles = [_get(b, "reply", "title") for b in buttons]
        if len(set(ids)) < len(ids) or len(set(titles)) < len(titles):
            problems.append("button ids and titles must be unique")
    elif interactive.get("type") == "list":
        problems += _text_length("list button", action.get("button"), 20)
        sections = action.get("sections") or []
        if not 1 <= len(sections) <= 10:
            problems.append(f"{len(sections)} sections (1-10 allowed)")
        rows = [row for section in sections for row in section.get("rows") or []]
        if not 1 <= len(rows) <= 10:
            problems.append(f"{len(rows)} rows (1-10 allowed)")
        for section in sections:
            if "title" in section or len(sections) > 1:
                problems += _text_length("section title", section.get("title"), 24)
        for row in rows:
            problems += _text_length("row title", row.get("title"), 24)
            problems += _text_length("row id", row.get("id"), 200)
            if "description" in row:
                problems += _text_length("row description", row.get("description"), 72)
        ids = [row.get("id") for row in rows]
        if len(set(ids)) < len(ids):
            problems.append("row ids must be unique")
    else:
        problems.append(f"unexpected interactive type {interactive.get('type')!r}")
    return problems


def _get(container: dict[str, Any], key: str, name: str) -> Any:
    inner = container.get(key)
    return inner.get(name) if isinstance(inner, dict) else None


def _text_length(what: str, value: Any, limit: int) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"{what} is missing"]
    if len(value) > limit:
        return [f"{what} has {len(value)} characters (at most {limit})"]
    return []


@dataclass
class GraphStandIn:
    """POST /{version}/{phone_number_id}/messages, with a bearer token."""

    port: int
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    refuse_interactive: bool = False  # play an API that refuses interactive messages
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    @classmethod
    def from_env(cls, env: dict[str, str]) -> GraphStandIn:
        return cls(int(env["HERSTEL_WHATSAPP_API_URL"].rsplit(":", 1)[1]))

    def start(self) -> GraphStandIn:
        ready = threading.Event()
        loop = self._loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=serve, name="graph-standin", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the Graph API stand-in did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def messages_to(self, wa_id: str) -> list[dict[str, Any]]:
        return [m for m in list(self.accepted) if m.get("to") == wa_id]

    def wait_for(self, wa_id: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        """The accepted messages to `wa_id`, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages_to(wa_id)
            if len(messages) >= count:
                return messages
            time.sleep(0.05)
        raise AssertionError(
            f"{len(self.messages_to(wa_id))} messages arrived, expected {count}; "
            f"refused: {self.refused}"
        )

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self._messages)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return _graph_error(401, 190, "Invalid OAuth access token.")
        version, number = request.match_info["version"], request.match_info["phone_number_id"]
        if version != API_VERSION or number != PHONE_NUMBER_ID:
            return _graph_error(400, 100, f"Unknown path /{version}/{number}/messages")
        try:
            message = await request.json()
        except ValueError:
            return _graph_error(400, 100, "The request body is not JSON.")
        problems = problems_with(message)
        if self.refuse_interactive and message.get("type") == "interactive":
            problems.append("interactive messages refused (stand-in setting)")
        if problems:
            self.refused.append((message, problems))
            return _graph_error(400, 100, "; ".join(problems))
        self.accepted.append(message)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": message["to"], "wa_id": message["to"]}],
                "messages": [{"id": f"wamid.standin.{uuid.uuid4().hex}"}],
            }
        )


def _graph_error(status: int, code: int, text: str) -> web.Response:
    error = {"message": text, "type": "OAuthException", "code": code, "fbtrace_id": "standin"}
    return web.json_response({"error": error}, status=status)

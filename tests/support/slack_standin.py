"""A local stand-in for the few Slack Web API methods Herstel calls, for tests.

chat.postMessage, chat.update, chat.postEphemeral and views.open, at /api/<method>.

It answers the way Slack does: HTTP 200 with {"ok": false, "error": ...} for a refused call
(invalid_auth, channel_not_found, invalid_blocks, ...), {"ok": true, ...} otherwise, and
checks Block Kit with the same limit checker the cards are built against. Every call is
recorded for assertions. Point slack_sdk at it with AsyncWebClient(base_url=standin.base_url).

On command it fails as Slack does when things go wrong: an outage (HTTP 5xx with an HTML
page, for every call until it is over) and rate limiting (HTTP 429, {"ok": false, "error":
"ratelimited"} and a Retry-After header).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from escalation.block_limits import MESSAGE_TEXT, message_problems, view_problems

TOKEN = "xoxb-standin-token"
CHANNEL_ID = "C0HERSTEL1"
CHANNEL_NAME = "herstel-escalations"


@dataclass(frozen=True)
class Call:
    method: str  # e.g. "chat.postMessage"
    args: dict[str, Any]  # the arguments, blocks and view decoded
    content_type: str
    authorization: str | None


@dataclass
class Posted:
    channel: str
    ts: str
    text: str | None
    blocks: list[Any] | None
    thread_ts: str | None = None
    updates: int = 0


@dataclass
class SlackStandIn:
    token: str = TOKEN
    channels: dict[str, str] = field(
        default_factory=lambda: {CHANNEL_ID: CHANNEL_ID, CHANNEL_NAME: CHANNEL_ID}
    )  # name or id -> id, as Slack resolves a channel name
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], Posted] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)  # channel, user, text
    base_url: str = ""  # set once it listens: "http://127.0.0.1:<port>/api/"
    _failures: dict[str, list[str]] = field(default_factory=dict)
    _outage: tuple[int, float | None] | None = None  # (status, Retry-After) for every call
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- what tests use ------------------------------------------------------------------

    def fail_next(self, method: str, error: str = "internal_error") -> None:
        """The next call of method answers {"ok": false, "error": error}."""
        self._failures.setdefault(method, []).append(error)

    def outage(self, status: int = 503, retry_after: float | None = None) -> None:
        """Every call fails with this HTTP status until recover(): 5xx as an HTML error page,
        429 as Slack's ratelimited answer with Retry-After."""
        self._outage = (status, retry_after)

    def recover(self) -> None:
        self._outage = None

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def thread(self, channel: str, ts: str) -> list[Posted]:
        return [m for m in self.messages.values() if m.channel == channel and m.thread_ts == ts]

    # --- the app -------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        for method, handler in (
            ("chat.postMessage", self._post_message),
            ("chat.update", self._update),
            ("chat.postEphemeral", self._post_ephemeral),
            ("views.open", self._views_open),
        ):
            app.router.add_post(f"/api/{method}", self._wrap(method, handler))
        return app

    def _wrap(self, method: str, handler: Any) -> Any:
        async def handle(request: web.Request) -> web.Response:
            args, bad = await _arguments(request)
            authorization = request.headers.get("Authorization")
            self.calls.append(Call(method, args, request.content_type, authorization))
            if self._outage is not None:
                return _failing(*self._outage)
            if bad:
                return _error(bad)
            token = args.pop("token", None)
            if authorization is None and token is None:
                return _error("not_authed")
            if authorization != f"Bearer {self.token}" and token != self.token:
                return _error("invalid_auth")
            if self._failures.get(method):
                return _error(self._failures[method].pop(0))
            return web.json_response(handler(args))

        return handle

    def _next_ts(self) -> str:
        # Slack's ts: Unix seconds and six digits, unique per channel.
        seconds = int(time.time())
        return f"{seconds}.{next(self._ts):06d}"

    def _channel(self, args: dict[str, Any]) -> str | None:
        channel = args.get("channel")
        return self.channels.get(channel) if isinstance(channel, str) else None

    def _message_problems(self, args: dict[str, Any]) -> dict[str, Any] | None:
        text, blocks = args.get("text"), args.get("blocks")
        if text is not None and not isinstance(text, str):
            return {"ok": False, "error": "invalid_arguments"}
        if isinstance(text, str) and len(text) > MESSAGE_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        if blocks is None:
            return None if text else {"ok": False, "error": "no_text"}
        problems = message_problems(blocks)
        if problems:
            return _invalid_blocks(problems)
        return None

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        refused = self._message_problems(args)
        if refused:
            return refused
        thread_ts = args.get("thread_ts")
        # Stricter than Slack, which may accept an unknown thread_ts and hide the reply.
        if thread_ts is not None and (channel, thread_ts) not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        ts = self._next_ts()
        posted = Posted(channel, ts, args.get("text"), args.get("blocks"), thread_ts)
        self.messages[(channel, ts)] = posted
        return {"ok": True, "channel": channel, "ts": ts, "message": _message(posted)}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        posted = self.messages.get((channel, args.get("ts")))  # type: ignore[arg-type]
        if posted is None:
            return {"ok": False, "error": "message_not_found"}
        refused = self._message_problems(args)
        if refused:
            return refused
        posted.text = args.get("text", posted.text)
        posted.blocks = args.get("blocks", posted.blocks)
        posted.updates += 1
        return {
            "ok": True,
            "channel": channel,
            "ts": posted.ts,
            "text": posted.text,
            "message": _message(posted),
        }

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        user = args.get("user")
        if not isinstance(user, str) or not user:
            return {"ok": False, "error": "user_not_found"}
        refused = self._message_problems(args)
        if refused:
            return refused
        self.ephemerals.append({"channel": channel, "user": user, "text": args.get("text")})
        return {"ok": True, "message_ts": self._next_ts()}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id") and not args.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        view = args.get("view")
        problems = view_problems(view)
        if problems:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": problems},
            }
        assert isinstance(view, dict)
        self.views.append(view)
        opened = {**view, "id": f"V{len(self.views):08d}", "state": {"values": {}}}
        return {"ok": True, "view": opened}


# --- request bodies, as slack_sdk sends them ---------------------------------------------


async def _arguments(request: web.Request) -> tuple[dict[str, Any], str | None]:
    """The call's arguments from a JSON body or a form body; an error code if unreadable."""
    if request.content_type == "application/json":
        try:
            args = json.loads(await request.read())
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}, "invalid_json"
        return (args, None) if isinstance(args, dict) else ({}, "invalid_json")
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        args = {k: v for k, v in form.items() if isinstance(v, str)}
        # In a form, structured arguments travel as JSON strings.
        for key in ("blocks", "view"):
            if key in args:
                try:
                    args[key] = json.loads(args[key])
                except json.JSONDecodeError:
                    return args, "invalid_blocks_format"
        return args, None
    return {}, "invalid_form_data"


def _failing(status: int, retry_after: float | None) -> web.Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    if status == 429:
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
    page = "<html><body><h1>Slack is having trouble</h1></body></html>"
    return web.Response(text=page, status=status, content_type="text/html", headers=headers)


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


def _invalid_blocks(problems: list[str]) -> dict[str, Any]:
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": problems,
        "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
    }


def _message(posted: Posted) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "ts": posted.ts, "text": posted.text or ""}
    if posted.blocks is not None:
        message["blocks"] = posted.blocks
    if posted.thread_ts:
        message["thread_ts"] = posted.thread_ts
    return message


@asynccontextmanager
async def running_standin(**options: Any) -> AsyncIterator[SlackStandIn]:
    """The stand-in on a free loopback port for the duration of a test."""
    standin = SlackStandIn(**options)
    runner = web.AppRunner(standin.app(), shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    standin.base_url = f"http://127.0.0.1:{port}/api/"
    try:
        yield standin
    finally:
        await runner.cleanup()

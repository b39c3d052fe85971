"""A WhatsApp customer for end-to-end tests: signed Cloud API webhooks into a Rasa server,
the bot's answers read from the Graph API stand-in (tests/support/whatsapp_standin.py)."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from bot.connectors.whatsapp_format import signature_for
from herstel.launcher import Stack
from tests.support.whatsapp_standin import APP_SECRET, PHONE_NUMBER_ID, GraphStandIn


def webhook_body(wa_id: str, message: dict[str, Any]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Klant"}, "wa_id": wa_id}],
        "messages": [
            {"from": wa_id, "id": f"wamid.{secrets.token_hex(12)}", "timestamp": "1", **message}
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | str


@dataclass
class WhatsAppCustomer:
    stack: Stack
    graph: GraphStandIn
    wa_id: str
    server: str = ""  # the Rasa server written to; by default the stack's

    @property
    def webhook(self) -> str:
        return f"{self.server or self.stack.url('rasa')}/webhooks/whatsapp/webhook"

    def post(self, body: bytes, signature: str | None = "sign") -> Answer:
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = signature_for(APP_SECRET, body)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        request = urllib.request.Request(self.webhook, data=body, headers=headers)
        return open_request(request)

    def sends(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Send one signed message; the bot's WhatsApp messages in answer to it."""
        before = len(self.graph.messages_to(self.wa_id))
        answer = self.post(webhook_body(self.wa_id, message))
        assert answer.status == 200, answer
        return self.graph.wait_for(self.wa_id, before + 1)[before:]

    def says(self, text: str) -> list[dict[str, Any]]:
        return self.sends({"type": "text", "text": {"body": text}})

    def taps(self, reply_kind: str, reply_id: str) -> list[dict[str, Any]]:
        tapped = {"type": reply_kind, reply_kind: {"id": reply_id, "title": "-"}}
        return self.sends({"type": "interactive", "interactive": tapped})

    def tracker_events(self) -> list[dict[str, Any]]:
        url = (
            f"{self.stack.url('rasa')}/conversations/{self.wa_id}/tracker"
            f"?token={self.stack.rasa_token}"
        )
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read()).get("events") or []


def open_request(request: urllib.request.Request) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return Answer(status, json.loads(raw))
    except ValueError:
        return Answer(status, raw.decode())


def text_of(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        if message["type"] == "text":
            parts.append(message["text"]["body"])
        else:
            parts.append(message["interactive"]["body"]["text"])
    return "\n".join(parts)

"""WhatsApp Cloud API channel for the Rasa server (Rasa 3.6, Sanic, aiohttp).

Webhook: GET/POST /webhooks/whatsapp/webhook. Registered in bot/credentials.yml by module
path; configured from the environment only (see whatsapp_format.WhatsAppSettings), so a
missing variable leaves the channel answering 503 while the rest of Rasa runs. The pure
parts (signature, parsing, rendering, memory) live in whatsapp_format.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.connectors.whatsapp_format import (
    SIGNATURE_HEADER,
    UNSUPPORTED_NOTICE,
    Incoming,
    MalformedWebhook,
    WhatsAppSettings,
    button_message,
    parse_webhook,
    sender_ref,
    signature_is_valid,
    text_messages,
    verification_challenge,
)
from bot.connectors.whatsapp_memory import ChannelMemory, memory_from_env

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "WhatsApp is not configured"


class GraphClient:
    """Posts messages to the Cloud API; one HTTP session per Rasa process."""

    def __init__(self, settings: WhatsAppSettings, timeout_seconds: float = 10) -> None:
        self.settings = settings
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, message: dict[str, Any]) -> bool:
        """True when the API accepted the message. Never raises: a failed send must not
        fail the turn, or Meta's retry would run the dialogue (and its actions) again."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {"Authorization": f"Bearer {self.settings.access_token}"}
        to = sender_ref(str(message.get("to", "")))
        try:
            async with self._session.post(
                self.settings.messages_url, json=message, headers=headers
            ) as answer:
                if answer.status < 300:
                    return True
                logger.error(
                    "WhatsApp refused a message (type %s) to %s: HTTP %s %s",
                    message.get("type"),
                    to,
                    answer.status,
                    _graph_error(await answer.text()),
                )
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("WhatsApp send to %s failed: %r", to, error)
        return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _graph_error(body: str) -> str:
    """Code and message of a Graph API error; not its details, which may name the customer."""
    try:
        error = json.loads(body).get("error") or {}
        return f"(#{error.get('code')}) {str(error.get('message'))[:200]}"
    except (ValueError, AttributeError):
        return "(no Graph error body)"


class WhatsAppOutput(OutputChannel):
    """Text as text messages; buttons as reply buttons, a list, or numbered text."""

    def __init__(self, client: GraphClient, memory: ChannelMemory) -> None:
        self._client = client
        self._memory = memory

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_all(text_messages(recipient_id, text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        rendered = button_message(recipient_id, text or "", buttons)
        if rendered.interactive is not None:
            await self._send_all(rendered.lead)
            if await self._client.send(rendered.interactive):
                return
            logger.warning("interactive message refused; sending numbered options instead")
        await self._send_all(rendered.numbered)
        await self._memory.remember_options(recipient_id, rendered.payloads)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, attachment)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # A response may carry a ready Cloud API message (e.g. a template) as `custom`.
        await self._client.send(
            {"messaging_product": "whatsapp", "to": recipient_id, **json_message}
        )

    async def _send_all(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            if not await self._client.send(message):
                return  # keep the order: no later piece without the earlier one


class WhatsAppInput(InputChannel):
    """Meta's webhook in, the Graph API out."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Secrets come from the environment only; credentials.yml just names the class.
        return cls(WhatsAppSettings.from_env(os.environ), memory_from_env(os.environ))

    def __init__(self, settings: WhatsAppSettings, memory: ChannelMemory) -> None:
        self.settings = settings
        self._client = GraphClient(settings)
        self._memory = memory
        missing = settings.missing()
        if missing:
            logger.info("WhatsApp channel not configured (missing %s)", ", ".join(missing))

    def get_output_channel(self) -> OutputChannel | None:
        # Used by Rasa's HTTP API to push messages (e.g. an agent's decision) into a chat.
        if not self.settings.configured:
            return None
        return WhatsAppOutput(self._client, self._memory)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("whatsapp_webhook", __name__)

        @hook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            await self._client.close()
            await self._memory.close()

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.settings.configured})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.json({"error": NOT_CONFIGURED}, status=503)
            challenge = verification_challenge(
                self.settings.verify_token,
                request.args.get("hub.mode"),
                request.args.get("hub.verify_token"),
                request.args.get("hub.challenge"),
            )
            if challenge is None:
                logger.warning("WhatsApp webhook verification refused: wrong mode or token")
                return response.json({"error": "verification failed"}, status=403)
            return response.text(challenge)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.json({"error": NOT_CONFIGURED}, status=503)
            body = request.body or b""
            if not signature_is_valid(
                self.settings.app_secret, body, request.headers.get(SIGNATURE_HEADER)
            ):
                logger.warning("WhatsApp webhook refused: missing or wrong signature")
                return response.json(
                    {"error": f"missing or invalid {SIGNATURE_HEADER} signature"}, status=401
                )
            try:
                messages = parse_webhook(body)
            except MalformedWebhook as error:
                logger.warning("WhatsApp webhook refused: %s", error)
                return response.json({"error": "malformed webhook body"}, status=400)
            for message in messages:
                if not await self._handle(message, on_new_message):
                    return response.json({"error": "message not handled"}, status=500)
            return response.json({"status": "ok"})

        return hook

    async def _handle(
        self, message: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> bool:
        """Hand one message to Rasa; False when that failed (Meta will retry it)."""
        who = sender_ref(message.sender)
        if message.phone_number_id and message.phone_number_id != self.settings.phone_number_id:
            logger.info("WhatsApp message for another business number ignored")
            return True
        try:
            if not await self._memory.first_time(message.message_id):
                logger.info("WhatsApp message from %s already handled (a retry)", who)
                return True
        except Exception:
            logger.exception("WhatsApp memory unreachable; message from %s left for a retry", who)
            return False
        try:
            await self._deliver(message, on_new_message)
        except Exception:
            logger.exception("WhatsApp message from %s failed; left for a retry", who)
            try:
                await self._memory.forget_message(message.message_id)
            except Exception:
                logger.exception("WhatsApp memory unreachable: a retry will be skipped")
            return False
        return True

    async def _deliver(
        self, message: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        output = WhatsAppOutput(self._client, self._memory)
        if message.kind == "unsupported":
            await self._memory.forget_options(message.sender)
            await output.send_text_message(message.sender, UNSUPPORTED_NOTICE)
            return
        text = message.text
        if message.kind in ("text", "caption"):
            text = await self._memory.take_choice(message.sender, text) or text
        else:
            await self._memory.forget_options(message.sender)
        logger.debug("WhatsApp %s message from %s", message.kind, sender_ref(message.sender))
        await on_new_message(
            UserMessage(
                text,
                output,
                message.sender,
                input_channel=self.name(),
                message_id=message.message_id,
                metadata={"whatsapp": {"kind": message.kind}},
            )
        )

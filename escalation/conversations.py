"""Reaching the customer's conversation from outside it: Rasa's HTTP API with a token."""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import quote

import aiohttp

log = logging.getLogger(__name__)


class ConversationUnreachable(Exception):
    """Rasa did not take the event; the caller keeps the case as it was told."""


class Conversations(Protocol):
    async def trigger(
        self, conversation_id: str, intent: str, entities: dict[str, str] | None = None
    ) -> None: ...


class RasaConversations:
    """Triggers an external intent; the bot answers on the customer's latest channel."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = token

    async def trigger(
        self, conversation_id: str, intent: str, entities: dict[str, str] | None = None
    ) -> None:
        url = f"{self._base_url}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
        params = {"output_channel": "latest", "token": self._token}
        body = {"name": intent, "entities": entities or {}}
        try:
            async with self._session.post(
                url, params=params, json=body, timeout=aiohttp.ClientTimeout(total=30)
            ) as response:
                if response.status != 200:
                    detail = (await response.text())[:200]
                    raise ConversationUnreachable(f"rasa answered {response.status}: {detail}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConversationUnreachable(f"rasa unreachable: {exc}") from exc

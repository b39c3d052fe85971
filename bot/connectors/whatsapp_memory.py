"""What the WhatsApp channel remembers between webhooks: message ids already handled (Meta
retries a webhook until it gets a 200) and the numbered options last sent to a customer.

One Rasa server keeps this in its own memory. Several servers behind a load balancer share
it in Redis, the one the lock store uses: a retry may reach another server than the first
delivery, and a customer's "2" another server than the options it answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Protocol

from redis.asyncio import Redis

from bot.connectors.whatsapp_format import NumberedOptions, SeenMessages, numbered_choice

SEEN_SECONDS = 7 * 24 * 3600  # Meta retries a failed webhook for up to 7 days
OPTIONS_SECONDS = 24 * 3600  # after the service window, an old "2" means nothing
PREFIX = "herstel:whatsapp:"


class ChannelMemory(Protocol):
    async def first_time(self, message_id: str) -> bool:
        """True once per message id: the caller should handle the message now."""

    async def forget_message(self, message_id: str) -> None:
        """Handling failed: let Meta's retry through."""

    async def remember_options(self, sender: str, payloads: Sequence[str]) -> None: ...

    async def forget_options(self, sender: str) -> None: ...

    async def take_choice(self, sender: str, text: str) -> str | None:
        """The payload a numbered reply stands for, else None; forgets the options."""

    async def close(self) -> None: ...


class ProcessMemory:
    """In this Rasa process only (the embedded default)."""

    def __init__(self) -> None:
        self._seen = SeenMessages()
        self._numbered = NumberedOptions()

    async def first_time(self, message_id: str) -> bool:
        return self._seen.first_time(message_id)

    async def forget_message(self, message_id: str) -> None:
        self._seen.forget(message_id)

    async def remember_options(self, sender: str, payloads: Sequence[str]) -> None:
        self._numbered.remember(sender, payloads)

    async def forget_options(self, sender: str) -> None:
        self._numbered.forget(sender)

    async def take_choice(self, sender: str, text: str) -> str | None:
        return self._numbered.take(sender, text)

    async def close(self) -> None:
        return None


class RedisMemory:
    """Shared by every Rasa server; each step is one atomic Redis command or transaction."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def first_time(self, message_id: str) -> bool:
        return bool(await self._redis.set(_seen(message_id), 1, nx=True, ex=SEEN_SECONDS))

    async def forget_message(self, message_id: str) -> None:
        await self._redis.delete(_seen(message_id))

    async def remember_options(self, sender: str, payloads: Sequence[str]) -> None:
        await self._redis.set(_options(sender), json.dumps(list(payloads)), ex=OPTIONS_SECONDS)

    async def forget_options(self, sender: str) -> None:
        await self._redis.delete(_options(sender))

    async def take_choice(self, sender: str, text: str) -> str | None:
        async with self._redis.pipeline(transaction=True) as pipe:
            raw, _ = await pipe.get(_options(sender)).delete(_options(sender)).execute()
        return numbered_choice(json.loads(raw) if raw else [], text)

    async def close(self) -> None:
        await self._redis.close()


def _seen(message_id: str) -> str:
    return f"{PREFIX}seen:{message_id}"


def _options(sender: str) -> str:
    # The key names no phone number.
    return f"{PREFIX}options:{hashlib.sha256(sender.encode()).hexdigest()[:32]}"


def memory_from_env(environ: Mapping[str, str]) -> ChannelMemory:
    """Redis when the lock store has a Redis host (several Rasa servers), else this process."""
    host = environ.get("HERSTEL_LOCK_STORE_HOST", "").strip()
    if not host:
        return ProcessMemory()
    port = int(environ.get("HERSTEL_LOCK_STORE_PORT", "").strip() or 6379)
    return RedisMemory(Redis(host=host, port=port))

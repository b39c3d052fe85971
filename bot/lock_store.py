"""Rasa's Redis lock store, with every ticket change made atomically.

Rasa 3.6 reads a conversation's lock, changes it and writes it back in separate commands,
so two Rasa servers receiving a message for the same conversation at the same instant can
both take ticket 0 and both go ahead (one message is then lost from the tracker). Here each
change runs under WATCH/MULTI and is retried when another server changed the lock between
the read and the write. Select it with lock_store type `bot.lock_store.AtomicRedisLockStore`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.constants import DEFAULT_LOCK_LIFETIME
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

T = TypeVar("T")
# (what to return, the lock to store, or None to delete it)
Change = Callable[[TicketLock | None], tuple[T, TicketLock | None]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, changed = change(current)
                    pipe.multi()
                    if changed is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, changed.dumps())
                    pipe.execute()
                    return result
                except WatchError:
                    continue  # another server changed the lock meanwhile: read it again

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = DEFAULT_LOCK_LIFETIME
    ) -> int:
        def take(lock: TicketLock | None) -> tuple[int, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._atomically(conversation_id, take)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._atomically(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def release(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._atomically(conversation_id, release)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def release(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return None, lock if lock.is_someone_waiting() else None

        self._atomically(conversation_id, release)

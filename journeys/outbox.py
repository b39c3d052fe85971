"""A durable local outbox for recovery moments and scores the journey store could not take.

A small SQLite file under the var dir (stdlib sqlite3, synchronous=FULL: every put is on disk
before it returns). Entries keep their order; a flush writes them to the store and deletes
them only after the store committed, so a crash in between writes them again, and the store
takes each case once (moments are keyed by case id, a score is set, not added). An entry the
store refuses for a reason other than being unavailable is kept as dead, with the error, for
an operator: never retried in a loop, never dropped.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc

from journeys.moment import RecoveryMoment, moment_from_json, moment_to_json

OUTBOX_FILE = "journeys-outbox.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('moment', 'score')),
    case_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    dead_reason TEXT
);
CREATE INDEX IF NOT EXISTS ix_entries_case ON entries (case_id);
"""


def is_unavailable(error: BaseException) -> bool:
    """The store cannot be reached or is not answering (as opposed to refusing the data)."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True  # the pool gave up waiting for a connection
    return isinstance(error, OSError | TimeoutError | ConnectionError)


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    kind: str  # "moment" or "score"
    case_id: str
    payload: dict[str, Any]

    @property
    def moment(self) -> RecoveryMoment:
        return moment_from_json(self.payload)


class Outbox:
    """Entries waiting for the store, in the order they were put."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._ready = False

    @classmethod
    def in_var_dir(cls, var_dir: str | Path) -> Outbox:
        return cls(Path(var_dir) / OUTBOX_FILE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Customer and order ids wait here: readable by the service's user only.
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # fsync on every commit: durable on return
            if not self._ready:
                conn.executescript(_SCHEMA)
                self._ready = True
            yield conn
        finally:
            conn.close()

    def _put(self, kind: str, case_id: str, payload: dict[str, Any]) -> int:
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO entries (kind, case_id, payload, queued_at) VALUES (?, ?, ?, ?)",
                (kind, case_id, json.dumps(payload), datetime.now(UTC).isoformat()),
            )
            return int(cursor.lastrowid or 0)

    async def put_moment(self, moment: RecoveryMoment) -> int:
        return await asyncio.to_thread(self._put, "moment", moment.case_id, moment_to_json(moment))

    async def put_score(self, case_id: str, scale: str, score: int) -> int:
        payload = {"scale": scale, "score": score}
        return await asyncio.to_thread(self._put, "score", case_id, payload)

    def _count(self, where: str, *args: Any) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as conn:
            return int(
                conn.execute(f"SELECT count(*) FROM entries WHERE {where}", args).fetchone()[0]
            )

    async def pending(self) -> int:
        """Entries still to write (dead ones not included)."""
        return await asyncio.to_thread(self._count, "dead_reason IS NULL")

    async def dead(self) -> int:
        return await asyncio.to_thread(self._count, "dead_reason IS NOT NULL")

    async def holds_moment(self, case_id: str) -> bool:
        """Whether the case's moment waits here (its scores must wait behind it)."""
        found = await asyncio.to_thread(
            self._count, "kind = 'moment' AND case_id = ? AND dead_reason IS NULL", case_id
        )
        return found > 0

    def _take(self, limit: int) -> list[Entry]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT seq, kind, case_id, payload FROM entries WHERE dead_reason IS NULL "
                "ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [Entry(seq, kind, case, json.loads(payload)) for seq, kind, case, payload in rows]

    async def take(self, limit: int = 500) -> list[Entry]:
        """The oldest pending entries, left in place until done() says the store has them."""
        return await asyncio.to_thread(self._take, limit)

    def _done(self, seqs: list[int]) -> None:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")  # one fsync for the lot
            conn.executemany("DELETE FROM entries WHERE seq = ?", [(s,) for s in seqs])
            conn.execute("COMMIT")

    async def done(self, seqs: list[int]) -> None:
        if seqs:
            await asyncio.to_thread(self._done, seqs)

    def _bury(self, seq: int, reason: str) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE entries SET dead_reason = ? WHERE seq = ?", (reason[:500], seq))

    async def bury(self, seq: int, reason: str) -> None:
        """Keep an entry the store refuses, out of the way of the others."""
        await asyncio.to_thread(self._bury, seq, reason)

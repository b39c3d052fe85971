"""Recovery moments: every handled failure, written once per case into its journey, scored,
exported as JSON lines; kept in a local outbox while the store is unavailable."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from journeys.db import READ_ONLY
from journeys.moment import GestureGiven, RecoveryMoment
from journeys.outbox import Entry, Outbox, is_unavailable
from journeys.recording import J, M, apply_score, record_moments
from journeys.scoring import SCALES

__all__ = ["SCALES", "FlushResult", "GestureGiven", "MomentStore", "RecoveryMoment"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FlushResult:
    moments: int = 0  # moment entries handed to the store (a case already there is skipped)
    scores: int = 0
    buried: int = 0  # refused by the store for good: kept in the outbox as dead
    complete: bool = True  # False: the store became unavailable again; the rest waits


class MomentStore:
    def __init__(self, engine: AsyncEngine, outbox: Outbox | None = None) -> None:
        self._engine = engine
        self._outbox = outbox
        self._maybe_pending = outbox is not None  # the outbox may hold entries from a past run
        self._flushing = asyncio.Lock()

    async def _transaction(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        # One retry on a connection the pool still held from before a database restart.
        for attempt in (1, 2):
            try:
                async with self._engine.begin() as conn:
                    return await work(conn)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    async def record(self, moment: RecoveryMoment) -> None:
        """Write the moment into its journey; a repeat for the same case changes nothing.

        With an outbox, a store that cannot be reached does not lose the moment: it waits in
        the outbox and is written with the next successful write or flush.
        """
        try:
            await self._transaction(lambda conn: record_moments(conn, [moment]))
        except Exception as exc:
            if self._outbox is None or not is_unavailable(exc):
                raise
            await self._outbox.put_moment(moment)
            self._maybe_pending = True
            log.warning(
                "journey store unavailable (%s): case %s kept in the outbox",
                type(exc).__name__,
                moment.case_id,
            )
            return
        await self._flush_quietly()

    async def record_many(self, moments: Sequence[RecoveryMoment]) -> int:
        """Write a batch in one transaction (no outbox: for imports and benchmarks); returns
        how many were new."""
        return await self._transaction(lambda conn: record_moments(conn, moments))

    async def add_score(self, case_id: str, scale: str, score: int) -> bool:
        """Store one score on the case's moment; False if the case has no moment.

        With an outbox, a score for a moment still waiting there, or arriving while the store
        is unavailable, waits in the outbox behind it (and True is returned).
        """
        low, high = SCALES[scale]
        if not low <= score <= high:
            raise ValueError(f"{scale} must be {low}-{high}, got {score}")
        if self._outbox is not None and self._maybe_pending:
            await self._flush_quietly()
            if await self._outbox.holds_moment(case_id):
                await self._outbox.put_score(case_id, scale, score)
                return True
        try:
            return await self._transaction(lambda conn: apply_score(conn, case_id, scale, score))
        except Exception as exc:
            if self._outbox is None or not is_unavailable(exc):
                raise
            await self._outbox.put_score(case_id, scale, score)
            self._maybe_pending = True
            log.warning(
                "journey store unavailable (%s): %s for case %s kept in the outbox",
                type(exc).__name__,
                scale,
                case_id,
            )
            return True

    async def _flush_quietly(self) -> None:
        if self._outbox is None or not self._maybe_pending:
            return
        try:
            await self.flush_outbox()
        except Exception:
            log.exception("flushing the moments outbox failed; it is tried again later")

    async def flush_outbox(self, batch: int = 500) -> FlushResult:
        """Write what waits in the outbox, oldest first; stops when the store is unavailable."""
        if self._outbox is None:
            return FlushResult()
        async with self._flushing:
            counts = {"moment": 0, "score": 0, "buried": 0}
            while entries := await self._outbox.take(batch):
                for kind, run in groupby(entries, key=lambda e: e.kind):
                    if not await self._flush_run(kind, list(run), counts):
                        return FlushResult(
                            counts["moment"], counts["score"], counts["buried"], False
                        )
            self._maybe_pending = False
            if counts["moment"] or counts["score"]:
                log.info(
                    "outbox flushed: %d moment(s), %d score(s)", counts["moment"], counts["score"]
                )
            return FlushResult(counts["moment"], counts["score"], counts["buried"])

    async def _flush_run(self, kind: str, run: list[Entry], counts: dict[str, int]) -> bool:
        """Write consecutive entries of one kind; False when the store is unavailable."""
        assert self._outbox is not None
        if kind == "moment":
            try:
                moments = [e.moment for e in run]
                await self._transaction(lambda conn: record_moments(conn, moments))
            except Exception as exc:
                if is_unavailable(exc):
                    return False
                return await self._one_by_one(run, counts)  # find the entry the store refuses
            await self._outbox.done([e.seq for e in run])
            counts["moment"] += len(run)
            return True
        return await self._one_by_one(run, counts)

    async def _one_by_one(self, run: list[Entry], counts: dict[str, int]) -> bool:
        assert self._outbox is not None
        for entry in run:
            try:
                await self._transaction(_apply(entry))
            except Exception as exc:
                if is_unavailable(exc):
                    return False
                await self._outbox.bury(entry.seq, f"{type(exc).__name__}: {exc}")
                counts["buried"] += 1
                log.error(
                    "outbox entry %d (case %s) refused by the store: %s",
                    entry.seq,
                    entry.case_id,
                    type(exc).__name__,
                )
                continue
            await self._outbox.done([entry.seq])
            counts[entry.kind] += 1
        return True

    async def keep_flushing(self, every: float = 30.0) -> None:
        """Run as a background task: flush the outbox every so often until cancelled."""
        if self._outbox is None:
            return
        while True:
            await asyncio.sleep(every)
            try:
                if await self._outbox.pending():
                    await self.flush_outbox()
            except Exception:
                log.exception("periodic outbox flush failed; tried again in %s s", every)

    async def export(self, since: datetime | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every moment as a plain dict (the JSON-lines export), oldest first, streamed."""
        query = (
            select(M, J.c.order_value_minor, J.c.currency.label("order_currency"))
            .select_from(M.outerjoin(J, J.c.id == M.c.journey_id))
            .order_by(M.c.created_at, M.c.case_id)
        )
        if since is not None:
            query = query.where(M.c.created_at >= since)
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**{READ_ONLY: True})
            result = await conn.stream(query.execution_options(yield_per=2000))
            async for row in result:
                yield exported(row)


def _apply(entry: Entry) -> Callable[[AsyncConnection], Awaitable[object]]:
    """Write one outbox entry in a transaction; a score for no known moment is refused."""

    async def work(conn: AsyncConnection) -> object:
        if entry.kind == "moment":
            return await record_moments(conn, [entry.moment])
        scale, score = entry.payload["scale"], entry.payload["score"]
        if not await apply_score(conn, entry.case_id, scale, score):
            raise LookupError("no recovery moment for this case")
        return True

    return work


def _money(minor: int | None, currency: str | None) -> dict[str, Any] | None:
    if minor is None or currency is None:
        return None
    return {"minor": minor, "currency": currency}


def exported(row: Any) -> dict[str, Any]:
    """One export line: every field of the moment, and (at the same keys and in the same
    shapes) the fields `herstel policies simulate` replays; a replay field that is unknown
    is left out so the replay's default applies."""
    gestures = json.loads(row.gestures)
    main = max(gestures, key=lambda g: g["amount_minor"], default=None)  # first on a tie
    agent = row.decided_by.split(":", 1)[1] if ":" in row.decided_by else None
    line: dict[str, Any] = {
        "case_id": row.case_id,
        "occurred_at": row.created_at.isoformat(),
        "customer_id": row.customer_id,
        "order_number": row.order_number,
        "journey_id": row.journey_id,
        "complaint_type": row.complaint_type,
        "hours_late": row.hours_late,
        "damage_extent": row.damage_extent,
        "order_value": _money(row.order_value_minor, row.order_currency),
        "segment": row.segment,
        "channel": row.channel,
        "carrier": row.carrier,
        "carrier_evidence": row.carrier_evidence,
        "carrier_status_code": row.carrier_status_code,
        "previous_complaints": row.previous_complaints,
        "demand": _money(row.demand_minor, row.currency),
        "gesture": main["kind"] if main else None,
        "amount": {"minor": row.amount_minor, "currency": row.currency},
        "gestures": gestures,
        "decided_by": row.decided_level,
        "agent_id": agent,
        "mandate_version": row.mandate_version,
        "language": row.language,
        "customer_turns": row.customer_turns,
        "seconds_to_resolution": row.seconds_to_resolution,
        "csat": row.csat,
        "ces": row.ces,
        "nps": row.nps,
        "tone_start": row.tone_start,
        "tone_end": row.tone_end,
        "resolved": row.resolved,
        "facts_confirmed": row.facts_confirmed,
        "recontacted": row.recontacted,
        "effectiveness": row.effectiveness,
        "ease": row.ease,
        "emotion": row.emotion,
        "recovery_score": row.recovery_score,
        "failed_score": row.failed_score,
        "journey_score_after": row.journey_score_after,
        "uplift": row.uplift,
        "outcome": row.outcome,
        "close_reason": row.close_reason,
        "revision": row.revision,
    }
    if row.decision:
        # The live decision and what it was made on: `policies simulate` replays exactly this.
        decision = json.loads(row.decision)
        line["inputs"] = decision.pop("case", None)
        line["live"] = decision
    for replayed in ("order_value", "segment", "damage_extent", "demand", "gesture"):
        if line[replayed] is None:
            del line[replayed]
    return line

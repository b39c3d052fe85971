"""Recording moments, scores and touchpoints with their customer and journey, in one transaction.

Every write follows the same steps: lock the customers and journeys it touches (upserts, in id
order so concurrent writers cannot deadlock), read what those journeys already hold, settle the
scores in Python (journeys.scoring, one source of truth for the formulas), then insert the new
rows and update only the stored values that changed. Settling looks at the whole journey and
the customer's recent moments, so the result does not depend on the order moments arrive in:
a moment flushed late from the outbox lands exactly where it would have.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from journeys import bulk, scoring
from journeys.moment import GestureGiven, RecoveryMoment
from journeys.tables import CustomerRow, JourneyRow, RecoveryMomentRow, TouchpointRow

HISTORY_WINDOW = timedelta(days=30)  # "previous complaints" (the default mandate's history_days)
FAILED_TYPE = {
    "late_delivery": "delivery",
    "missing_item": "delivery",
    "damaged_product": "product",
    "wrong_item": "fulfilment",
}
RECOVERY_TYPE = "complaint_handling"
RECOVERY_PHASE = FAILED_PHASE = "consumption"  # delivery, unpacking, use and the fix after
LEVELS = ("bot", "agent", "lead")
# Moments prepared between two yields to the event loop: preparing a batch is CPU only, and in
# one go it would hold up every other task for 20+ ms, such as another writer's transaction
# that holds the locks this batch waits for next (two writers then go no faster than one).
SLICE = 50

M = cast(Table, RecoveryMomentRow.__table__)
T = cast(Table, TouchpointRow.__table__)
J = cast(Table, JourneyRow.__table__)
C = cast(Table, CustomerRow.__table__)

# The values settling computes for a moment; compared with what is stored before updating.
_SETTLED = (
    "recontacted",
    "previous_complaints",
    "effectiveness",
    "ease",
    "emotion",
    "recovery_score",
    "journey_score_after",
    "uplift",
)


def journey_id(order_number: str) -> str:
    """One journey per order, with an id every writer (and the outbox) derives the same way:
    the order number itself (shops number orders in sequence, so the journey indexes grow at
    their end instead of at random pages), hashed only when it is too long for the column."""
    if len(order_number) <= 30:
        return f"o:{order_number}"
    digest = hashlib.blake2b(order_number.encode(), digest_size=15, person=b"herstel-journey")
    return f"h:{digest.hexdigest()}"


def moment_ids(times: Sequence[datetime]) -> list[str]:
    """Row ids that sort by time (milliseconds, then random): inserts land at the index's end.
    The random parts come from one read of the system's randomness for the whole batch."""
    noise = os.urandom(10 * len(times)).hex()
    return [
        f"{int(at.timestamp() * 1000):012x}{noise[20 * i : 20 * i + 20]}"
        for i, at in enumerate(times)
    ]


def decided_level(decided_by: str) -> str:
    """ "bot", "agent:U123", "lead:U9" -> the level; an unknown prefix counts as an agent."""
    head = decided_by.split(":", 1)[0]
    return head if head in LEVELS else "agent"


def failed_type(complaint_type: str) -> str:
    return FAILED_TYPE.get(complaint_type, "other")


def failed_key(case_id: str) -> str:
    return f"{case_id}:failed"


def recovery_key(case_id: str) -> str:
    return f"{case_id}:recovery"


# --- state held in memory while settling -------------------------------------------------


@dataclass(slots=True)
class MomentState:
    case_id: str
    journey_id: str | None
    customer_id: str
    created_at: datetime
    inputs: scoring.MomentInputs
    failed_score: float | None
    stored: dict[str, Any] | None  # None: a new moment, inserted with what settling computes
    settled: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class TouchState:
    key: str
    journey_id: str
    phase: str
    at: datetime
    score: float | None
    stored_score: float | None
    new: bool
    case_id: str | None = None  # set on a moment's recovery touchpoint: its score is derived
    nps: int | None = None  # the journey's NPS, kept on the touchpoint for the report
    stored_nps: int | None = None


@dataclass(slots=True)
class JourneyState:
    moments: list[MomentState] = field(default_factory=list)
    touchpoints: list[TouchState] = field(default_factory=list)
    stored_score: float | None = None
    score: float | None = None
    nps: int | None = None


@dataclass(slots=True)
class Loaded:
    journeys: dict[str, JourneyState]
    by_customer: dict[str, list[MomentState]]  # recent moments, for previous complaints
    cases: set[str]  # case ids already stored
    stored: list[MomentState] = field(default_factory=list)  # each stored moment read, once


# --- settling: pure, over the loaded state ------------------------------------------------


def settle(
    loaded: Loaded,
    recount: tuple[datetime, datetime] | None = None,
    settled: Mapping[str, float | None] | None = None,
) -> None:
    """Compute every derived value: re-contacts, 3E's, touchpoint and journey scores, uplift,
    and previous complaints of the new moments and of the stored ones within recount (the
    only ones whose count new moments can change, and whose window was loaded in full).

    settled: journeys (id -> score) already settled from exactly these moments and
    touchpoints, e.g. new journeys settled from their batch alone: not done twice."""
    settled = settled or {}
    for jid, journey in loaded.journeys.items():
        if jid in settled:
            journey.score = settled[jid]
            for t in journey.touchpoints:
                t.nps = journey.nps
        else:
            _settle_journey(journey)
    for moments in loaded.by_customer.values():
        times = sorted(m.created_at for m in moments)
        for m in moments:
            at = m.created_at
            if m.stored is not None and (recount is None or not recount[0] <= at <= recount[1]):
                continue
            # The customer's moments in [at - 30 days, at), counted on the sorted times.
            earlier = bisect_left(times, at) - bisect_left(times, at - HISTORY_WINDOW)
            m.settled["previous_complaints"] = earlier


_CREATED = attrgetter("created_at")


def _settle_journey(journey: JourneyState) -> None:
    moments = sorted(journey.moments, key=_CREATED)
    times = [m.created_at for m in moments]
    recovery = {t.case_id: t for t in journey.touchpoints if t.case_id is not None}
    for m in moments:
        # The first moment strictly later is the only one that can make this a re-contact.
        following = bisect_right(times, m.created_at)
        recontacted = (
            following < len(times) and times[following] - m.created_at <= scoring.RECONTACT_WINDOW
        )
        scores = scoring.score_moment(m.inputs, recontacted=recontacted)
        m.settled.update(
            recontacted=recontacted,
            effectiveness=scores.effectiveness,
            ease=scores.ease,
            emotion=scores.emotion,
            recovery_score=scores.score,
        )
        touch = recovery.get(m.case_id)
        if touch is not None:
            touch.score = scores.score
    for t in journey.touchpoints:
        t.nps = journey.nps
    touchpoints = journey.touchpoints
    journey.score = scoring.journey_score(scoring.phase_scores(touchpoints))
    last = max((t.at for t in touchpoints), default=None)
    for m in moments:
        # With every touchpoint at or before the moment, the score after it is the journey's
        # (the same touchpoints in the same order: the very same sum).
        if last is None or last <= m.created_at:
            after = journey.score
        else:
            after = scoring.journey_score_at(touchpoints, m.created_at)
        m.settled["journey_score_after"] = after
        m.settled["uplift"] = scoring.uplift(after, m.failed_score)


# --- loading ------------------------------------------------------------------------------

_MOMENT_COLUMNS = (
    M.c.case_id,
    M.c.journey_id,
    M.c.customer_id,
    M.c.created_at,
    M.c.resolved,
    M.c.facts_confirmed,
    M.c.customer_turns,
    M.c.seconds_to_resolution,
    M.c.csat,
    M.c.ces,
    M.c.nps,
    M.c.tone_start,
    M.c.tone_end,
    M.c.failed_score,
    *(M.c[name] for name in _SETTLED),
)


def _moment_state(row: Sequence[Any]) -> MomentState:
    """A stored moment from a row of _MOMENT_COLUMNS, read by position: a row's attributes
    cost a lookup each, and load reads many rows."""
    case_id, jid, customer_id, created_at, resolved, facts, *rest = row
    turns, seconds, csat, ces, nps, tone_start, tone_end, failed, *settled = rest
    inputs = scoring.MomentInputs(
        resolved=resolved,
        facts_confirmed=facts,
        customer_turns=turns,
        seconds_to_resolution=seconds,
        csat=csat,
        ces=ces,
        nps=nps,
        tone_start=tone_start,
        tone_end=tone_end,
    )
    stored = dict(zip(_SETTLED, settled, strict=True))
    return MomentState(case_id, jid, customer_id, created_at, inputs, failed, stored)


async def load(
    conn: AsyncConnection,
    journey_ids: Sequence[str],
    customer_window: tuple[Sequence[str], datetime, datetime] | None = None,
) -> Loaded:
    """What the given journeys hold, plus the customers' moments within a time window."""
    loaded = Loaded({j: JourneyState() for j in journey_ids}, {}, set())
    if not journey_ids:
        return loaded
    where: ColumnElement[bool] = bulk.among(conn, M.c.journey_id, journey_ids)
    if customer_window is not None:
        customers, low, high = customer_window
        loaded.by_customer = {c: [] for c in customers}
        where = or_(
            where,
            and_(bulk.among(conn, M.c.customer_id, customers), M.c.created_at.between(low, high)),
        )
    for row in (await conn.execute(select(*_MOMENT_COLUMNS).where(where))).all():
        state = _moment_state(row)
        loaded.cases.add(state.case_id)
        loaded.stored.append(state)
        if state.journey_id in loaded.journeys:
            loaded.journeys[state.journey_id].moments.append(state)
        if state.customer_id in loaded.by_customer:
            loaded.by_customer[state.customer_id].append(state)
    touch_query = select(
        T.c.key, T.c.journey_id, T.c.phase, T.c.occurred_at, T.c.score, T.c.case_id,
        T.c.journey_nps,
    ).where(bulk.among(conn, T.c.journey_id, journey_ids))  # fmt: skip
    for key, jid, phase, at, score, case_id, nps in (await conn.execute(touch_query)).all():
        recovery = case_id if key == recovery_key(case_id or "") else None
        loaded.journeys[jid].touchpoints.append(
            TouchState(key, jid, phase, at, score, score, False, recovery, nps, nps)
        )
    scores = select(J.c.id, J.c.score, J.c.nps).where(bulk.among(conn, J.c.id, journey_ids))
    for jid, score, nps in (await conn.execute(scores)).all():
        journey = loaded.journeys[jid]
        journey.stored_score, journey.nps = score, nps
    return loaded


# --- writing ------------------------------------------------------------------------------


def _insert(conn: AsyncConnection | Connection, table: Any) -> Any:
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the journey store does not support {name}")


def _greatest(conn: AsyncConnection, a: Any, b: Any) -> Any:
    return func.greatest(a, b) if conn.dialect.name == "postgresql" else func.max(a, b)


def _least(conn: AsyncConnection, a: Any, b: Any) -> Any:
    return func.least(a, b) if conn.dialect.name == "postgresql" else func.min(a, b)


async def upsert_customers(conn: AsyncConnection, rows: dict[str, dict[str, Any]]) -> None:
    """Create or touch customers; the segment seen latest wins, whatever order writes come in."""

    def finish(statement: Any) -> Any:
        new = statement.excluded
        latest = and_(new.segment.is_not(None), new.last_seen_at >= C.c.last_seen_at)
        return statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "segment": case((latest, new.segment), else_=C.c.segment),
                "first_seen_at": _least(conn, C.c.first_seen_at, new.first_seen_at),
                "last_seen_at": _greatest(conn, C.c.last_seen_at, new.last_seen_at),
            },
        )

    await bulk.insert(conn, C, [rows[k] for k in sorted(rows)], finish, "upsert_customers")


async def upsert_journeys(conn: AsyncConnection, rows: dict[str, dict[str, Any]]) -> None:
    """Create or touch journeys, locking them until commit (in id order: no deadlocks)."""

    def finish(statement: Any) -> Any:
        new = statement.excluded
        later = and_(new.nps_at.is_not(None), or_(J.c.nps_at.is_(None), new.nps_at >= J.c.nps_at))
        return statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "order_value_minor": func.coalesce(J.c.order_value_minor, new.order_value_minor),
                "currency": func.coalesce(J.c.currency, new.currency),
                # The answer on the latest moment wins, whatever order moments arrive in.
                "nps": case((later, new.nps), else_=J.c.nps),
                "nps_at": case((later, new.nps_at), else_=J.c.nps_at),
                "started_at": _least(conn, J.c.started_at, new.started_at),
                "updated_at": _greatest(conn, J.c.updated_at, new.updated_at),
            },
        )

    await bulk.insert(conn, J, [rows[k] for k in sorted(rows)], finish, "upsert_journeys")


async def lock_journey(conn: AsyncConnection, journey: str) -> None:
    """Take the journey's row lock (SQLite: the write lock is already held)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(J.c.id).where(J.c.id == journey).with_for_update())


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return not math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    return bool(a != b)


def _skip_known(key: str) -> Callable[[Any], Any]:
    return lambda statement: statement.on_conflict_do_nothing(index_elements=[key])


async def write_settled(
    conn: AsyncConnection,
    loaded: Loaded,
    new_rows: Sequence[dict[str, Any]] = (),
) -> None:
    """Insert the new moments (rows completed from settling, NewMoment.settled_row); update
    the stored moments, touchpoints and journeys whose settled values changed."""
    # New for sure: the journey's lock is held and its moments were read (see record_moments).
    await bulk.insert(conn, M, new_rows, _skip_known("case_id"), "insert_moments", known_new=True)
    touch_updates: list[dict[str, Any]] = []
    journey_updates: list[dict[str, Any]] = []
    for jid, journey in loaded.journeys.items():
        for t in journey.touchpoints:
            if not t.new and (_differs(t.score, t.stored_score) or t.nps != t.stored_nps):
                touch_updates.append({"key": t.key, "score": t.score, "journey_nps": t.nps})
        if _differs(journey.score, journey.stored_score):
            journey_updates.append({"id": jid, "score": journey.score})
    moment_updates = [
        {"case_id": m.case_id, **{k: m.settled.get(k, m.stored[k]) for k in _SETTLED}}
        for m in loaded.stored
        if m.stored is not None
        and any(_differs(m.settled.get(k, m.stored[k]), m.stored[k]) for k in _SETTLED)
    ]
    await bulk.update_by(conn, M, "case_id", _SETTLED, moment_updates, "update_moments")
    await bulk.update_by(
        conn, T, "key", ["score", "journey_nps"], touch_updates, "update_touchpoint_scores"
    )
    await bulk.update_by(conn, J, "id", ["score"], journey_updates, "update_journey_scores")


async def insert_touchpoints(
    conn: AsyncConnection,
    loaded: Loaded,
    extra: dict[str, dict[str, Any]],
    *,
    known_new: bool = False,
) -> None:
    """Insert the loaded state's new touchpoints; extra holds their non-settled columns (its
    rows are completed in place with the settled score and NPS)."""
    rows = []
    for j in loaded.journeys.values():
        for t in j.touchpoints:
            if t.new:
                row = extra[t.key]
                row["score"], row["journey_nps"] = t.score, t.nps
                rows.append(row)
    name = "insert_touchpoints"
    await bulk.insert(conn, T, rows, _skip_known("key"), name, known_new=known_new)


# --- recording moments ----------------------------------------------------------------------


def gestures_json(gestures: Sequence[GestureGiven]) -> str:
    """What json.dumps makes of [{"kind", "amount_minor", "ref"}, ...] (the stored form),
    built directly: json.dumps sets up a new encoder on every call, for every moment."""
    return "[{}]".format(
        ", ".join(
            f'{{"kind": {encode_basestring_ascii(g.kind)}, '
            f'"amount_minor": {int.__repr__(g.amount.minor)}, '
            f'"ref": {encode_basestring_ascii(g.ref)}}}'
            for g in gestures
        )
    )


def _amount(moment: RecoveryMoment) -> tuple[int, str]:
    """moment.amount as (minor, currency), without a Money per gesture; gestures in mixed
    currencies go through moment.amount, which refuses them."""
    gestures = moment.gestures
    currency = gestures[0].amount.currency if gestures else moment.currency
    if any(g.amount.currency != currency for g in gestures):
        amount = moment.amount
        return amount.minor, amount.currency
    return sum(g.amount.minor for g in gestures), currency


def moment_row(moment: RecoveryMoment, failed: float, jid: str, row_id: str) -> dict[str, Any]:
    """The stored columns of a new moment that do not come from settling."""
    amount_minor, currency = _amount(moment)
    return {
        "id": row_id,
        "case_id": moment.case_id,
        "customer_id": moment.customer_id,
        "order_number": moment.order_number,
        "complaint_type": moment.complaint_type,
        "carrier_evidence": moment.carrier_evidence,
        "carrier_status_code": moment.carrier_status_code,
        "hours_late": moment.hours_late,
        "gestures": gestures_json(moment.gestures),
        "amount_minor": amount_minor,
        "currency": currency,
        "decided_by": moment.decided_by,
        "mandate_version": moment.mandate_version,
        "language": moment.language,
        "channel": moment.channel,
        "created_at": moment.created_at,
        "csat": moment.csat,
        "ces": moment.ces,
        "nps": moment.nps,
        "journey_id": jid,
        "decided_level": decided_level(moment.decided_by),
        "carrier": moment.carrier,
        "segment": moment.segment,
        "damage_extent": moment.damage_extent,
        "demand_minor": None if moment.demand is None else moment.demand.minor,
        "customer_turns": moment.customer_turns,
        "seconds_to_resolution": moment.seconds_to_resolution,
        "tone_start": moment.tone_start,
        "tone_end": moment.tone_end,
        "resolved": moment.is_resolved,
        "facts_confirmed": moment.has_facts,
        "failed_score": failed,
        "outcome": moment.what_came_of_it,
        "revision": moment.revision,
        "close_reason": moment.close_reason,
        "decision": moment.decision,
    }


def _failed_at(moment: RecoveryMoment) -> datetime:
    return moment.created_at - timedelta(seconds=moment.seconds_to_resolution or 0)


@dataclass(slots=True, kw_only=True)
class NewMoment(MomentState):
    """A moment about to be inserted: its state for settling, its row, its two touchpoints."""

    journey_id: str  # always known for a new moment
    moment: RecoveryMoment
    row: dict[str, Any]
    failed: TouchState
    recovery: TouchState

    def join(self, journey: JourneyState) -> None:
        journey.moments.append(self)
        journey.touchpoints += (self.failed, self.recovery)

    def settled_row(self) -> dict[str, Any]:
        """The row, completed with what settling computed (in place: it is inserted once)."""
        self.row.update(self.settled)
        return self.row

    def touch_rows(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The two touchpoints' rows, settled. Built when inserting rather than kept from the
        start: fewer objects alive while the batch is settled."""
        m, jid, failed, recovery = self.moment, self.journey_id, self.failed, self.recovery
        kind = failed_type(m.complaint_type)
        return (
            {"key": failed.key, "journey_id": jid, "phase": FAILED_PHASE, "type": kind,
             "channel": m.carrier if kind == "delivery" else None, "occurred_at": failed.at,
             "score": failed.score, "source": "estimated", "raw_score": None, "scale": None,
             "case_id": m.case_id, "journey_nps": failed.nps},
            {"key": recovery.key, "journey_id": jid, "phase": RECOVERY_PHASE,
             "type": RECOVERY_TYPE, "channel": m.channel, "occurred_at": m.created_at,
             "score": recovery.score, "source": "derived", "raw_score": m.csat,
             "scale": None if m.csat is None else "csat", "case_id": m.case_id,
             "journey_nps": recovery.nps},
        )  # fmt: skip

    @property
    def failed_at(self) -> datetime:
        return self.failed.at


def new_moment(m: RecoveryMoment, jid: str, row_id: str) -> NewMoment:
    sev = scoring.severity(
        m.complaint_type,
        hours_late=m.hours_late,
        damage_extent=m.damage_extent,
        carrier_evidence=m.carrier_evidence,
    )
    failed = scoring.failed_score(sev)
    row = moment_row(m, failed, jid, row_id)
    inputs = scoring.MomentInputs(
        resolved=row["resolved"],
        facts_confirmed=row["facts_confirmed"],
        customer_turns=m.customer_turns,
        seconds_to_resolution=m.seconds_to_resolution,
        csat=m.csat,
        ces=m.ces,
        nps=m.nps,
        tone_start=m.tone_start,
        tone_end=m.tone_end,
    )
    case, at = m.case_id, m.created_at
    return NewMoment(
        case_id=case,
        journey_id=jid,
        customer_id=m.customer_id,
        created_at=at,
        inputs=inputs,
        failed_score=failed,
        stored=None,
        moment=m,
        row=row,
        failed=TouchState(failed_key(case), jid, FAILED_PHASE, _failed_at(m), failed, None, True),
        recovery=TouchState(recovery_key(case), jid, RECOVERY_PHASE, at, None, None, True, case),
    )


async def _alone(news: Sequence[NewMoment]) -> dict[str, JourneyState]:
    """The batch's journeys holding only what the batch brings, settled: right for a journey
    new to the store (inserted with its score, so no update follows), and only a starting
    point for a known one (settled again once loaded)."""
    journeys: dict[str, JourneyState] = {}
    for new in news:
        journey = journeys.get(new.journey_id)
        if journey is None:
            journey = journeys[new.journey_id] = JourneyState()
        new.join(journey)
    for n, journey in enumerate(journeys.values(), 1):
        _settle_journey(journey)
        if n % SLICE == 0:
            await asyncio.sleep(0)
    return journeys


def _parents(
    news: Sequence[NewMoment], alone: Mapping[str, JourneyState]
) -> tuple[dict[str, dict], dict[str, dict]]:
    """The customer and journey rows a batch needs."""
    customers: dict[str, dict[str, Any]] = {}
    journeys: dict[str, dict[str, Any]] = {}
    for new in news:
        m, at, failed_at = new.moment, new.moment.created_at, new.failed_at
        c = customers.get(m.customer_id)
        if c is None:
            c = customers[m.customer_id] = {"id": m.customer_id, "segment": None,
                                            "first_seen_at": at, "last_seen_at": at}  # fmt: skip
        c["first_seen_at"] = min(c["first_seen_at"], failed_at)
        if at >= c["last_seen_at"]:
            c["last_seen_at"] = at
            c["segment"] = m.segment or c["segment"]
        j = journeys.get(new.journey_id)
        if j is None:
            j = journeys[new.journey_id] = {
                "id": new.journey_id, "order_number": m.order_number,
                "customer_id": m.customer_id, "order_value_minor": None, "currency": None,
                "started_at": failed_at, "updated_at": at,
                "score": alone[new.journey_id].score, "nps": None, "nps_at": None,
            }  # fmt: skip
        j["started_at"] = min(j["started_at"], failed_at)
        j["updated_at"] = max(j["updated_at"], at)
        if j["order_value_minor"] is None and m.order_value is not None:
            j["order_value_minor"], j["currency"] = m.order_value.minor, m.order_value.currency
        if m.nps is not None and (j["nps_at"] is None or at >= j["nps_at"]):
            j["nps"], j["nps_at"] = m.nps, at
    return customers, journeys


def _adopt_new_journeys(
    loaded: Loaded, alone: Mapping[str, JourneyState], stale: set[str]
) -> dict[str, float | None]:
    """A journey the store knew nothing of holds exactly what the batch brings: it takes the
    batch's state, settled already, with what was read of its row. Not so a journey with a
    case stored before (under no journey, from before migration 0005): settled again without
    it. Returns the adopted journeys' scores."""
    adopted = {}
    for jid, journey in loaded.journeys.items():
        if journey.moments or journey.touchpoints or jid in stale:
            continue
        own = alone[jid]
        own.stored_score, own.nps = journey.stored_score, journey.nps
        loaded.journeys[jid] = own
        adopted[jid] = own.score
    return adopted


async def record_moments(
    conn: AsyncConnection,
    moments: Sequence[RecoveryMoment],
    row_ids: Mapping[str, str] | None = None,
) -> int:
    """Record moments with their customers, journeys and two touchpoints each, in the caller's
    transaction; a case already stored (or repeated in the batch) is skipped. Returns how many
    moments were new. row_ids: case id -> row id, for moments that had a row before (the
    backfill); new ids otherwise.

    A case belongs to one order (its id is built from the order number), so the lock on the
    order's journey makes "is this case stored?" and the insert one atomic step. A moment of a
    higher revision than the stored one replaces it (the case came to a later outcome)."""
    batch = _latest_per_case(moments)
    if not batch:
        return 0
    for m in batch:
        if m.demand is not None and m.demand.currency != _amount(m)[1]:
            raise ValueError(f"case {m.case_id}: demand and gestures in different currencies")
    journey_ids: dict[str, str] = {}
    if row_ids is None:
        ids = moment_ids([m.created_at for m in batch])
    else:
        ids = [row_ids[m.case_id] for m in batch]
    news: list[NewMoment] = []
    for start in range(0, len(batch), SLICE):
        news += [
            new_moment(m, journey_ids.setdefault(m.order_number, journey_id(m.order_number)), rid)
            for m, rid in zip(batch[start : start + SLICE], ids[start : start + SLICE], strict=True)
        ]
        await asyncio.sleep(0)
    alone = await _alone(news)
    customers, journeys = _parents(news, alone)
    await upsert_customers(conn, customers)
    await upsert_journeys(conn, journeys)
    await _replace_earlier(conn, [m for m in batch if m.revision > 0])
    low = min(m.created_at for m in batch)
    high = max(m.created_at for m in batch)
    loaded = await load(
        conn,
        sorted(journeys),
        (sorted(customers), low - HISTORY_WINDOW, high + HISTORY_WINDOW),
    )
    fresh = [new for new in news if new.moment.case_id not in loaded.cases]
    stale = {new.journey_id for new in news if new.moment.case_id in loaded.cases}
    adopted = _adopt_new_journeys(loaded, alone, stale)
    for new in fresh:
        if new.journey_id not in adopted:
            new.settled.clear()
            new.join(loaded.journeys[new.journey_id])
        loaded.by_customer[new.customer_id].append(new)
    settle(loaded, recount=(low, high + HISTORY_WINDOW), settled=adopted)
    await write_settled(conn, loaded, [new.settled_row() for new in fresh])
    # Journey by journey, as settling lists them: stored in the order later loads sum them in.
    in_order = sorted(fresh, key=attrgetter("journey_id"))
    touch_rows = [row for new in in_order for row in new.touch_rows()]  # keys of new cases
    await bulk.insert(conn, T, touch_rows, _skip_known("key"), "insert_touchpoints", known_new=True)
    return len(fresh)


def _latest_per_case(moments: Sequence[RecoveryMoment]) -> list[RecoveryMoment]:
    """One moment per case, in the order cases first appear: the highest revision, and of
    equal revisions the first."""
    latest: dict[str, RecoveryMoment] = {}
    for m in moments:
        known = latest.get(m.case_id)
        if known is None or m.revision > known.revision:
            latest[m.case_id] = m
    return list(latest.values())


async def _replace_earlier(conn: AsyncConnection, revised: Sequence[RecoveryMoment]) -> None:
    """Remove the stored moments (and their touchpoints) that these later revisions replace;
    the journey's lock is held, so settling then sees the journey without them."""
    for m in revised:
        gone = await conn.execute(
            M.delete().where(M.c.case_id == m.case_id, M.c.revision < m.revision)
        )
        if gone.rowcount:
            keys = [failed_key(m.case_id), recovery_key(m.case_id)]
            await conn.execute(T.delete().where(T.c.key.in_(keys)))


# --- scores arriving after the moment --------------------------------------------------------


async def apply_score(conn: AsyncConnection, case_id: str, scale: str, score: int) -> bool:
    """Store a survey answer on the case's moment and settle its journey; False: no such case."""
    query = select(M.c.journey_id, M.c.created_at).where(M.c.case_id == case_id)
    found = (await conn.execute(query)).one_or_none()
    if found is None:
        return False
    jid, at = found.journey_id, found.created_at
    if jid is None:  # recorded before journeys existed: keep the answer, nothing to settle
        await conn.execute(update(M).where(M.c.case_id == case_id).values({scale: score}))
        return True
    await lock_journey(conn, jid)
    await conn.execute(update(M).where(M.c.case_id == case_id).values({scale: score}))
    if scale == "csat":
        await conn.execute(
            update(T).where(T.c.key == recovery_key(case_id)).values(raw_score=score, scale="csat")
        )
    if scale == "nps":  # the journey's NPS is the answer on its latest moment
        latest = or_(J.c.nps_at.is_(None), J.c.nps_at <= at)
        await conn.execute(update(J).where(J.c.id == jid, latest).values(nps=score, nps_at=at))
    loaded = await load(conn, [jid])
    settle(loaded)
    await write_settled(conn, loaded)
    return True


# --- touchpoints from elsewhere (a delivery survey, an order confirmation) --------------------


async def add_touchpoint(
    conn: AsyncConnection,
    *,
    key: str,
    customer_id: str,
    order_number: str,
    phase: str,
    type: str,
    channel: str | None,
    at: datetime,
    score: float | None,
    raw_score: int | None,
    scale: str | None,
    source: str,
) -> bool:
    """Add a touchpoint to the order's journey (created if new); False if the key exists."""
    if phase not in scoring.PHASES:
        raise ValueError(f"phase must be one of {', '.join(scoring.PHASES)}, got {phase!r}")
    if score is not None and not 0 <= score <= 1:
        raise ValueError(f"a touchpoint score is 0-1, got {score}")
    jid = journey_id(order_number)
    await upsert_customers(
        conn,
        {
            customer_id: {
                "id": customer_id,
                "segment": None,
                "first_seen_at": at,
                "last_seen_at": at,
            }
        },
    )
    await upsert_journeys(
        conn,
        {
            jid: {
                "id": jid,
                "order_number": order_number,
                "customer_id": customer_id,
                "order_value_minor": None,
                "currency": None,
                "started_at": at,
                "updated_at": at,
                "score": None,
                "nps": raw_score if scale == "nps" else None,  # an NPS survey is a touchpoint
                "nps_at": at if scale == "nps" else None,
            }
        },
    )
    exists = (await conn.execute(select(T.c.key).where(T.c.key == key))).first()
    if exists is not None:
        return False
    loaded = await load(conn, [jid])
    loaded.journeys[jid].touchpoints.append(TouchState(key, jid, phase, at, score, None, True))
    settle(loaded)
    await write_settled(conn, loaded)
    extra = {
        key: {
            "key": key,
            "journey_id": jid,
            "phase": phase,
            "type": type,
            "channel": channel,
            "occurred_at": at,
            "source": source,
            "raw_score": raw_score,
            "scale": scale,
            "case_id": None,
        }
    }
    await insert_touchpoints(conn, loaded, extra)
    return True

"""Rows of the gesture ledger: building, reading and moving them from state to state."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, String, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herstel.money import Money
from journeys.db import UTCDateTime
from journeys.errors import (
    BudgetExceeded,
    IdempotencyConflict,
    LedgerCurrencyMismatch,
    LedgerError,
)
from journeys.periods import CounterSpec
from journeys.records import GestureState, Reservation, ReservationRequest
from journeys.tables import GestureRow

LEDGER = GestureRow.__table__
_SAME_GESTURE = ("case_id", "customer_id", "order_number", "kind", "amount")


def new_row(request: ReservationRequest, specs: list[CounterSpec], now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "idempotency_key": request.idempotency_key,
        "case_id": request.case_id,
        "customer_id": request.customer_id,
        "order_number": request.order_number,
        "kind": request.kind,
        "amount_minor": request.amount.minor,
        "currency": request.amount.currency,
        "decided_by": request.decided_by,
        "mandate_version": request.mandate_version,
        "state": GestureState.RESERVED.value,
        "created_at": now,
        "updated_at": now,
        "result_ref": None,
        "budget_keys": json.dumps([spec.key for spec in specs]),
        "decision": request.decision or None,
    }


def reservation_from(row: Any) -> Reservation:
    """A Reservation from a ledger row mapping (or the values just inserted)."""
    return Reservation(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        case_id=row["case_id"],
        customer_id=row["customer_id"],
        order_number=row["order_number"],
        kind=row["kind"],
        amount=Money(row["amount_minor"], row["currency"]),
        decided_by=row["decided_by"],
        mandate_version=row["mandate_version"],
        state=GestureState(row["state"]),
        created_at=row["created_at"],
        result_ref=row["result_ref"],
    )


def replayed(row: Row[Any], request: ReservationRequest) -> Reservation:
    known = reservation_from(row._mapping)
    if any(getattr(known, name) != getattr(request, name) for name in _SAME_GESTURE):
        raise IdempotencyConflict(f"key {request.idempotency_key} was used for another gesture")
    return known


_BY_KEY = select(LEDGER).where(LEDGER.c.idempotency_key == bindparam("b_key"))
_BY_ID = select(LEDGER).where(LEDGER.c.id == bindparam("b_id"))
_MOVE = (
    update(LEDGER)
    .where(LEDGER.c.id == bindparam("b_id"), LEDGER.c.state == GestureState.RESERVED.value)
    .values(
        state=bindparam("b_state"),
        updated_at=bindparam("b_now", type_=UTCDateTime()),
        result_ref=func.coalesce(bindparam("b_ref", type_=String()), LEDGER.c.result_ref),
    )
)


_REVIVE = (
    update(LEDGER)
    .where(LEDGER.c.id == bindparam("b_id"), LEDGER.c.state == GestureState.RELEASED.value)
    .values(
        state=GestureState.RESERVED.value,
        created_at=bindparam("b_now", type_=UTCDateTime()),
        updated_at=bindparam("b_now", type_=UTCDateTime()),
        decided_by=bindparam("b_decided_by"),
        mandate_version=bindparam("b_version"),
        decision=bindparam("b_decision"),
        budget_keys=bindparam("b_keys"),
        result_ref=None,
    )
)


async def revive(conn: AsyncConnection, reservation_id: str, values: dict[str, Any]) -> bool:
    """released -> reserved again, as the new request says (its time, decider, budgets).

    A retry after a shop failure, or a grant after a budget said no: the gesture is the same
    (its key), so it gets the same row. False: someone revived it first.
    """
    params = {
        "b_id": reservation_id,
        "b_now": values["created_at"],
        "b_decided_by": values["decided_by"],
        "b_version": values["mandate_version"],
        "b_decision": values["decision"],
        "b_keys": values["budget_keys"],
    }
    return (await conn.execute(_REVIVE, params)).rowcount == 1


def within_gesture_caps(request: ReservationRequest) -> None:
    """The per-gesture caps: nothing to count, so checked before anything is written."""
    for limit in request.limits:
        if limit.scope == "gesture" and limit.applies_to(request.kind):
            if limit.limit.currency != request.amount.currency:
                raise LedgerCurrencyMismatch(
                    f"limit in {limit.limit.currency}, gesture in {request.amount.currency}"
                )
            if request.amount > limit.limit:
                nothing = Money.zero(limit.limit.currency)
                key = f"gesture:{limit.kind or 'all'}"
                raise BudgetExceeded(key, limit.limit, nothing, request.amount)


async def by_key(conn: AsyncConnection, key: str) -> Row[Any] | None:
    return (await conn.execute(_BY_KEY, {"b_key": key})).one_or_none()


async def by_id(conn: AsyncConnection, reservation_id: str) -> Row[Any]:
    row = (await conn.execute(_BY_ID, {"b_id": reservation_id})).one_or_none()
    if row is None:
        raise LedgerError(f"no reservation {reservation_id}")
    return row


async def move(
    conn: AsyncConnection,
    reservation_id: str,
    to: GestureState,
    now: datetime,
    result_ref: str | None = None,
) -> bool:
    """reserved -> to, exactly once: the state in the WHERE clause makes retries no-ops."""
    params = {"b_id": reservation_id, "b_state": to.value, "b_now": now, "b_ref": result_ref}
    return (await conn.execute(_MOVE, params)).rowcount == 1

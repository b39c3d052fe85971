"""The shop and the ledger agree: a gesture is carried out in the shop and charged in the
ledger, or neither. Reconcile finds where they differ and repairs what it can.

- reserved in the ledger, made in the shop: the answer was lost on the way; issued now.
- reserved in the ledger, not in the shop (left over a while): nothing was given; released.
- released in the ledger, made in the shop (a shop failure before 0007 released it, then a
  retry made it): the money is out; issued and charged again to its budgets.
- issued in the ledger, unknown to the shop: cannot be repaired here; reported for a person.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from journeys.ledger import GestureLedger
from journeys.records import GestureState, Reservation
from recovery.granting import reference
from shop.model import Shop

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=2)  # a reservation this young may be a grant still in flight


@dataclass(frozen=True, slots=True)
class Repair:
    case_id: str
    idempotency_key: str
    kind: str
    amount: str
    was: str  # the ledger state found
    did: str  # issued, released, charged, or reported (nothing could be done here)
    why: str

    def __str__(self) -> str:
        return f"{self.did:<9} {self.kind} {self.amount} (case {self.case_id}): {self.why}"


async def reconcile(
    ledger: GestureLedger,
    shop: Shop,
    now: datetime,
    *,
    since: timedelta = timedelta(days=7),
    grace: timedelta = GRACE,
) -> list[Repair]:
    """Compare the ledger's recent gestures with the shop and repair; returns what was done."""
    rows = await ledger.to_reconcile(reserved_before=now - grace, changed_since=now - since)
    repairs = []
    for row in rows:
        repair = await _one(ledger, shop, row)
        if repair is not None:
            log.warning("reconcile: %s", repair)
            repairs.append(repair)
    return repairs


async def _one(ledger: GestureLedger, shop: Shop, row: Reservation) -> Repair | None:
    made = await shop.find_gesture(row.idempotency_key, row.order_number, row.kind)
    state = row.state
    if state is GestureState.RESERVED and made is not None:
        await ledger.issue(row.id, reference(made))
        return _repair(row, "issued", "the shop carried it out; the ledger had not heard")
    if state is GestureState.RESERVED:
        await ledger.release(row.id)
        return _repair(row, "released", "the shop never carried it out")
    if state is GestureState.RELEASED and made is not None:
        await ledger.restore(row.id, reference(made))
        return _repair(row, "charged", "the shop carried it out after it was released")
    if state is GestureState.ISSUED and made is None:
        return _repair(row, "reported", "issued in the ledger but unknown to the shop")
    return None


def _repair(row: Reservation, did: str, why: str) -> Repair:
    return Repair(
        row.case_id, row.idempotency_key, row.kind, row.amount.format(), row.state.value, did, why
    )


def summary(repairs: Sequence[Repair]) -> str:
    if not repairs:
        return "Ledger and shop agree."
    lines = [f"Ledger and shop differed in {len(repairs)} gesture(s); what was done:"]
    return "\n".join([*lines, *(f"  {r}" for r in repairs)])

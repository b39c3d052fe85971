"""What the mandate engine needs beyond the case itself: the customer's recent history,
what was already given on the order, and today's and this month's budget usage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from herstel.money import Money
from journeys.ledger import GestureLedger
from journeys.periods import month_start, spec_for
from policies import BudgetUsage, GestureKind, History, Level, Mandate
from recovery.cases import CaseStore
from recovery.granting import budget_limits


@dataclass(frozen=True, slots=True)
class Standing:
    history: History
    given_on_order: Money | None
    usage: BudgetUsage


class StandingReader:
    def __init__(
        self, ledger: GestureLedger, mandate: Mandate, cases: CaseStore | None = None
    ) -> None:
        self._ledger = ledger
        self._mandate = mandate
        self._cases = cases

    async def read(
        self, customer_id: str, order_number: str, case_id: str, now: datetime
    ) -> Standing:
        days = self._mandate.policy.history_days
        since = now - timedelta(days=days)
        rows = await self._ledger.standing(customer_id, order_number, case_id, since)
        history = _history(rows, since, now, days)
        if self._cases is not None:
            # Every complaint is a case, also those settled with words only; the ledger's
            # reservation counts the same way.
            complaints = await self._cases.complaints(customer_id, since, case_id)
            history = replace(history, complaints=complaints)
        return Standing(
            history=history,
            given_on_order=_total(r for r in rows if r.order_number == order_number),
            usage=await self._usage(now),
        )

    async def _usage(self, now: datetime) -> BudgetUsage:
        limits = [x for x in budget_limits(self._mandate, Level.BOT) if x.scope in ("day", "month")]
        lines = (await self._ledger.usage(now, limits)).lines
        spent = {(x.scope, x.kind): lines[spec_for(x, now, None).key].spent for x in limits}
        return BudgetUsage(
            day_spent=spent.get(("day", None)),
            month_spent=spent.get(("month", None)),
            day_by_kind={k: v for (scope, k), v in spent.items() if scope == "day" and k},
            month_by_kind={k: v for (scope, k), v in spent.items() if scope == "month" and k},
        )


def _history(rows: Sequence[Any], since: datetime, now: datetime, days: int) -> History:
    recent = [r for r in rows if r.created_at >= since]
    this_month = month_start(now)
    return History(
        # Without a case store, a case with a gesture is a complaint that counted; cases
        # settled with words only leave no trace in the ledger, so this is a lower bound.
        complaints=len({r.case_id for r in recent}),
        gestures=len(recent),
        given=_total(recent),
        treats_this_month=sum(
            1 for r in recent if r.kind == GestureKind.TREAT.value and r.created_at >= this_month
        ),
        window_days=days,
    )


def _total(rows: Any) -> Money | None:
    total: Money | None = None
    for row in rows:
        amount = Money(int(row.amount_minor), row.currency)
        total = amount if total is None else total + amount
    return total

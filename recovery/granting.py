"""Carry out a proposal exactly once: re-check the mandate, reserve budget, write to the shop.

This is the one place a gesture is handed out. The mandate engine bounds what may be
offered; the ledger's atomic reservation bounds what may be spent, however requests race;
idempotency keys make every retry return the first result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from herstel.money import Money
from journeys.errors import BudgetExceeded
from journeys.ledger import GestureLedger
from journeys.records import BudgetLimit, ReservationRequest
from policies import GestureKind, Level, Mandate, Offer
from shop.errors import ShopRefused
from shop.gestures import ShopResult
from shop.model import Order, OrderLine, Shop

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Granted:
    kind: GestureKind
    cost: Money
    result: ShopResult | None  # None for a gesture the shop has no part in (an apology)


class NotGranted(Exception):
    """The gesture could not be given now; the case needs a person. Nothing was spent."""


def budget_limits(mandate: Mandate, level: Level) -> tuple[BudgetLimit, ...]:
    """The mandate's budgets as ledger limits; a level allowed over budget has none."""
    policy = mandate.policy
    if policy.budgets.over_budget is not None and level >= policy.budgets.over_budget:
        return ()
    limits = [
        BudgetLimit(scope, amount, kind=None if key == "overall" else key)
        for scope, table in (("day", policy.budgets.day), ("month", policy.budgets.month))
        for key, amount in table.items()
    ]
    per_customer = getattr(policy.levels, level.value).per_customer
    if per_customer is not None:
        limits.append(BudgetLimit("customer_period", per_customer, period_days=policy.history_days))
    return tuple(limits)


class Granter:
    def __init__(self, shop: Shop, ledger: GestureLedger, mandate: Mandate) -> None:
        self._shop = shop
        self._ledger = ledger
        self._mandate = mandate

    async def grant(
        self,
        case_id: str,
        order: Order,
        item: OrderLine,
        offers: tuple[Offer, ...],
        *,
        decided_by: str,
        level: Level,
    ) -> tuple[Granted, ...]:
        """Give every offer or none: a budget that says no releases what was reserved."""
        for offer in offers:
            if not offer.may_be_granted_by(level):
                raise NotGranted(f"{offer.kind} needs {offer.level}, not {level}")
        reserved = []
        try:
            for offer in offers:
                request = self._request(case_id, order, offer, decided_by, level)
                reserved.append((offer, await self._ledger.reserve(request)))
        except BudgetExceeded as exc:
            log.warning("case %s: %s", case_id, exc)
            await self._release(reserved)
            raise NotGranted(str(exc)) from exc
        granted = []
        for offer, reservation in reserved:
            key = reservation.idempotency_key
            try:
                result = await self._carry_out(key, order, item, offer)
            except ShopRefused as exc:  # nothing was done, and trying again will not help
                log.warning("case %s: the shop refused %s: %s", case_id, offer.kind, exc)
                await self._release([(offer, reservation)])
                raise NotGranted(f"the shop refused {offer.kind}") from exc
            except Exception:
                log.exception("case %s: the shop failed to carry out %s", case_id, offer.kind)
                await self._release([(offer, reservation)])
                raise
            await self._ledger.issue(reservation.id, reference(result))
            granted.append(Granted(offer.kind, offer.cost, result))
        return tuple(granted)

    async def history(self, customer_id: str) -> list:
        """The customer's latest live gestures, newest first."""
        return await self._ledger.recent(customer_id)

    def _request(
        self, case_id: str, order: Order, offer: Offer, decided_by: str, level: Level
    ) -> ReservationRequest:
        return ReservationRequest(
            idempotency_key=f"{case_id}:{offer.kind}:{offer.step}",
            case_id=case_id,
            customer_id=order.customer_id,
            order_number=order.number,
            kind=offer.kind.value,
            amount=offer.cost,
            decided_by=decided_by,
            mandate_version=self._mandate.version,
            limits=budget_limits(self._mandate, level),
        )

    async def _carry_out(
        self, key: str, order: Order, item: OrderLine, offer: Offer
    ) -> ShopResult | None:
        gesture = offer.gesture
        match offer.kind:
            case GestureKind.VOUCHER:
                return await self._shop.issue_voucher(key, order, offer.cost)
            case GestureKind.REPLACEMENT:
                keep = bool(getattr(gesture, "keep_damaged", False))
                return await self._shop.create_replacement(key, order, item.sku, keep_damaged=keep)
            case GestureKind.SHIPPING_REFUND | GestureKind.PARTIAL_REFUND | GestureKind.FULL_REFUND:
                return await self._shop.refund(key, order, offer.cost)
            case GestureKind.TREAT:
                return await self._shop.add_treat(key, order, str(getattr(gesture, "item", "")))
        return None

    async def _release(self, reserved: list) -> None:
        for _, reservation in reserved:
            await self._ledger.release(reservation.id)


def reference(result: ShopResult | None) -> str:
    """What names a result in the ledger: voucher code, replacement order, refund reference."""
    if result is None:
        return "-"
    for name in ("code", "replacement_order", "reference"):
        if hasattr(result, name):
            return str(getattr(result, name))
    return "-"

"""Carry out a proposal exactly once: re-check the mandate, reserve budget, write to the shop.

This is the one place a gesture is handed out. The mandate engine bounds what may be
offered; the ledger's atomic reservation enforces every limit of the mandate again where the
money is reserved, however requests race (budgets, caps per gesture, order and customer,
treats a month, the rule's previous complaints, one decision per case); idempotency keys,
derived from the case, make every retry return the first result. A reservation is released
only when the shop was never asked: after a shop failure it stays, so the retry (or
`herstel ledger reconcile`) completes it exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from herstel.money import Money
from journeys.errors import CaseDecided, Refused
from journeys.ledger import GestureLedger
from journeys.records import BudgetLimit, CountLimit, ReservationRequest
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
    # Issued by this call, not a replay of one issued before (not part of equality).
    new: bool = field(default=True, compare=False)


class NotGranted(Exception):
    """The gesture could not be given now; the case needs a person. Nothing was spent."""


class AlreadyDecided(NotGranted):
    """The case already got its gestures, under another decision: it is not compensated twice."""


def budget_limits(mandate: Mandate, level: Level) -> tuple[BudgetLimit, ...]:
    """The mandate's money limits for a level: budgets (none for a level allowed over
    budget), and the level's caps per gesture, per order and per customer window."""
    policy = mandate.policy
    limits: list[BudgetLimit] = []
    if policy.budgets.over_budget is None or level < policy.budgets.over_budget:
        limits += [
            BudgetLimit(scope, amount, kind=None if key == "overall" else key)
            for scope, table in (("day", policy.budgets.day), ("month", policy.budgets.month))
            for key, amount in table.items()
        ]
    caps = getattr(policy.levels, level.value)
    limits += [
        BudgetLimit("gesture", cap, kind=str(kind)) for kind, cap in caps.per_gesture.items()
    ]
    if caps.per_order is not None:
        limits.append(BudgetLimit("order", caps.per_order))
    if caps.per_customer is not None:
        limits.append(
            BudgetLimit("customer_period", caps.per_customer, period_days=policy.history_days)
        )
    return tuple(limits)


def count_limits(mandate: Mandate, rule_id: str | None, offer: Offer) -> tuple[CountLimit, ...]:
    """The rule's limit on previous complaints, and a treat's monthly limit per customer."""
    counts: list[CountLimit] = []
    rule = next((r for r in mandate.policy.rules if r.id == rule_id), None)
    most = rule.match.max_previous_complaints if rule is not None else None
    if most is not None:
        counts.append(CountLimit("complaints", most, mandate.policy.history_days))
    monthly = getattr(offer.gesture, "monthly_limit", None)
    if offer.kind is GestureKind.TREAT and monthly is not None:
        counts.append(CountLimit("treats_this_month", monthly))
    return tuple(counts)


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
        rule_id: str | None = None,
    ) -> tuple[Granted, ...]:
        """Give every offer or none: a limit that says no releases what this call reserved.

        Raises AlreadyDecided when the case got other gestures already, NotGranted when a
        limit says no; a shop failure propagates with the reservations kept for a retry.
        """
        for offer in offers:
            if not offer.may_be_granted_by(level):
                raise NotGranted(f"{offer.kind} needs {offer.level}, not {level}")
        decision = f"{decided_by}|{'+'.join(sorted(_key(o) for o in offers))}"
        reserved = []
        try:
            for offer in offers:
                request = self._request(case_id, order, offer, decided_by, level, rule_id)
                reserved.append(
                    (offer, await self._ledger.reserve(replace(request, decision=decision)))
                )
        except Refused as exc:
            log.warning("case %s: %s", case_id, exc)
            # Only what this call reserved: an earlier reservation may be in the shop already.
            await self._release([(o, r) for o, r in reserved if r.new])
            if isinstance(exc, CaseDecided):
                raise AlreadyDecided(str(exc)) from exc
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
                # The shop may have carried it out before failing: keep the reservation, so a
                # retry with the same key completes it and reconcile can tell.
                log.exception("case %s: the shop failed to carry out %s", case_id, offer.kind)
                raise
            issued = await self._ledger.issue(reservation.id, reference(result))
            granted.append(Granted(offer.kind, offer.cost, result, issued.new))
        return tuple(granted)

    async def history(self, customer_id: str) -> list:
        """The customer's latest live gestures, newest first."""
        return await self._ledger.recent(customer_id)

    def _request(
        self,
        case_id: str,
        order: Order,
        offer: Offer,
        decided_by: str,
        level: Level,
        rule_id: str | None,
    ) -> ReservationRequest:
        return ReservationRequest(
            idempotency_key=idempotency_key(case_id, offer),
            case_id=case_id,
            customer_id=order.customer_id,
            order_number=order.number,
            kind=offer.kind.value,
            amount=offer.cost,
            decided_by=decided_by,
            mandate_version=self._mandate.version,
            limits=budget_limits(self._mandate, level),
            counts=count_limits(self._mandate, rule_id, offer),
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


def _key(offer: Offer) -> str:
    return f"{offer.kind.value}:{offer.step}"


def idempotency_key(case_id: str, offer: Offer) -> str:
    """The gesture's key in the ledger and the shop: the case's, so any conversation (and any
    retry) asking for the same gesture on the same failure gets the same one."""
    return f"{case_id}:{offer.kind}:{offer.step}"


def reference(result: ShopResult | None) -> str:
    """What names a result in the ledger: voucher code, replacement order, refund reference."""
    if result is None:
        return "-"
    for name in ("code", "replacement_order", "reference"):
        if hasattr(result, name):
            return str(getattr(result, name))
    return "-"

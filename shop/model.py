"""Orders as Herstel sees them, and the Shop interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from herstel.money import Money
from shop.gestures import RefundMade, ReplacementCreated, ShopResult, TreatAdded, VoucherIssued


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return Money(self.unit_price.minor * self.quantity, self.unit_price.currency)


@dataclass(frozen=True, slots=True)
class Order:
    number: str
    customer_id: str
    email: str
    postcode: str  # normalised: "3512JE"
    segment: str  # new, regular, vip
    channel: str  # where the order was placed: webshop, app
    placed_at: datetime
    promised_by: datetime  # the delivery promise, timezone-aware
    carrier: str  # "postnl", "dhl"
    tracking_number: str
    lines: tuple[OrderLine, ...]
    shipping_cost: Money

    @property
    def value(self) -> Money:
        total = Money.zero(self.shipping_cost.currency)
        for line in self.lines:
            total += line.total
        return total


class Shop(Protocol):
    """What Herstel needs from the merchant's systems.

    Every write takes an idempotency key: repeating a call with the same key returns the
    first result and changes nothing, so retries can never issue a gesture twice, also from
    another process or after a restart (an adapter keeps the key where the shop does).

    Failures are shop.errors: ShopUnavailable when the shop did not answer (a write may have
    happened: repeat it with the same key), ShopRefused when it said no and changed nothing,
    IdempotencyConflict when a key comes back for a different write.
    """

    async def find_order(self, number: str) -> Order | None: ...

    async def find_latest_order(self, email: str, postcode: str) -> Order | None:
        """The customer's most recent order to this postcode, for one who lost the number."""
        ...

    async def issue_voucher(self, key: str, order: Order, amount: Money) -> VoucherIssued: ...

    async def create_replacement(
        self, key: str, order: Order, sku: str, *, keep_damaged: bool
    ) -> ReplacementCreated: ...

    async def refund(self, key: str, order: Order, amount: Money) -> RefundMade: ...

    async def add_treat(self, key: str, order: Order, description: str) -> TreatAdded: ...

    async def find_gesture(self, key: str, order_number: str, kind: str) -> ShopResult | None:
        """The result of the write made earlier under this idempotency key (for this order, a
        gesture of this kind: voucher, replacement, treat or a refund kind), or None when the
        shop never carried one out. `herstel ledger reconcile` asks it to tell a gesture the
        shop made (the ledger must charge it) from one it never made (the ledger releases it).
        Reads only; never writes."""
        ...

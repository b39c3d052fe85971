"""An in-memory Shop for unit tests: a dict of orders and a dict of writes by key."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from herstel.money import Money
from shop.errors import IdempotencyConflict
from shop.gestures import RefundMade, ReplacementCreated, ShopResult, TreatAdded, VoucherIssued
from shop.model import Order

R = TypeVar("R", bound=ShopResult)


class InMemoryShop:
    def __init__(self, orders: Iterable[Order] = ()) -> None:
        self.orders = {order.number: order for order in orders}
        self.writes: dict[str, ShopResult] = {}
        self._serial = itertools.count(1)

    async def find_order(self, number: str) -> Order | None:
        return self.orders.get(number)

    async def find_latest_order(self, email: str, postcode: str) -> Order | None:
        mine = [
            o
            for o in self.orders.values()
            if o.email.lower() == email.lower() and o.postcode == postcode
        ]
        return max(mine, key=lambda o: o.placed_at, default=None)

    async def issue_voucher(self, key: str, order: Order, amount: Money) -> VoucherIssued:
        until = datetime(2100, 1, 1, tzinfo=UTC)
        return self._once(key, VoucherIssued(f"TEST-{next(self._serial):04d}", amount, until))

    async def create_replacement(
        self, key: str, order: Order, sku: str, *, keep_damaged: bool
    ) -> ReplacementCreated:
        arrives = order.promised_by + timedelta(days=1)
        number = f"R{order.number}-{next(self._serial)}"
        return self._once(key, ReplacementCreated(number, keep_damaged, arrives))

    async def refund(self, key: str, order: Order, amount: Money) -> RefundMade:
        return self._once(key, RefundMade(f"RF-{next(self._serial)}", amount))

    async def add_treat(self, key: str, order: Order, description: str) -> TreatAdded:
        return self._once(key, TreatAdded(f"TR-{next(self._serial)}", description))

    async def find_gesture(self, key: str, order_number: str, kind: str) -> ShopResult | None:
        return self.writes.get(key)

    def _once(self, key: str, result: R) -> R:
        existing = self.writes.setdefault(key, result)
        if type(existing) is not type(result):
            raise IdempotencyConflict(f"key {key!r} was used for another write")
        return existing  # type: ignore[return-value]

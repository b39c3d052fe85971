"""An in-memory Shop for unit tests: a dict of orders."""

from __future__ import annotations

from collections.abc import Iterable

from shop.model import Order


class InMemoryShop:
    def __init__(self, orders: Iterable[Order] = ()) -> None:
        self.orders = {order.number: order for order in orders}

    async def find_order(self, number: str) -> Order | None:
        return self.orders.get(number)

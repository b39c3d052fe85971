"""The local demo shop: orders on SQLite (or any SQLAlchemy database), seeded from YAML."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from herstel.clock import Clock
from herstel.money import Money
from herstel.reltime import resolve
from shop import results_json
from shop.demo_schema import CustomerRow, DemoBase, GestureWriteRow, OrderLineRow, OrderRow
from shop.errors import IdempotencyConflict
from shop.gestures import RefundMade, ReplacementCreated, ShopResult, TreatAdded, VoucherIssued
from shop.identity import find_postcode
from shop.model import Order, OrderLine
from shop.world import load_orders

R = TypeVar("R", bound=ShopResult)
VOUCHER_VALIDITY = timedelta(days=365)

DEFAULT_SEED = Path(__file__).with_name("demo_orders.yml")


class DemoShop:
    """Implements shop.model.Shop over the demo tables."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._engine = engine
        self._clock = clock

    async def create_schema(self) -> None:
        async with self._engine.begin() as conn:
            await conn.run_sync(DemoBase.metadata.create_all)

    async def seed(self, *extra: Path) -> int:
        """Make the shop hold the README's orders and any generated world's, with times
        relative to now; returns how many orders. Gestures made before are kept."""
        specs = [load_orders(DEFAULT_SEED), *(load_orders(path) for path in extra)]
        now = self._clock.now()
        customers = {c["id"]: c for spec in specs for c in spec["customers"]}
        orders = {str(o["number"]): o for spec in specs for o in spec["orders"]}
        async with self._sessions.begin() as session:
            for table in (OrderLineRow, OrderRow, CustomerRow):
                await session.execute(delete(table))
            for chunk in _chunks(list(customers.values())):
                await session.execute(insert(CustomerRow), chunk)
            for chunk in _chunks(list(orders.values())):
                await session.execute(insert(OrderRow), [_order_row(o, now) for o in chunk])
                lines = [line for o in chunk for line in _line_rows(o)]
                await session.execute(insert(OrderLineRow), lines)
        return len(orders)

    async def forget_gestures(self) -> None:
        """The demo starts afresh: what was carried out before is forgotten."""
        async with self._sessions.begin() as session:
            await session.execute(delete(GestureWriteRow))

    async def find_order(self, number: str) -> Order | None:
        async with self._sessions() as session:
            row = await session.get(OrderRow, number)
            return _to_order(row) if row is not None else None

    async def find_latest_order(self, email: str, postcode: str) -> Order | None:
        query = (
            select(OrderRow)
            .join(CustomerRow)
            .where(func.lower(CustomerRow.email) == email.lower(), OrderRow.postcode == postcode)
            .order_by(OrderRow.placed_at.desc())
            .limit(1)
        )
        async with self._sessions() as session:
            row = (await session.scalars(query)).first()
            return _to_order(row) if row is not None else None

    async def issue_voucher(self, key: str, order: Order, amount: Money) -> VoucherIssued:
        code = f"HRST-{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}"
        valid_until = self._clock.now() + VOUCHER_VALIDITY
        return await self._once(key, order, VoucherIssued(code, amount, valid_until))

    async def create_replacement(
        self, key: str, order: Order, sku: str, *, keep_damaged: bool
    ) -> ReplacementCreated:
        number = f"R{order.number}-{secrets.token_hex(2).upper()}"
        arrives = _next_working_day(self._clock.now())
        return await self._once(key, order, ReplacementCreated(number, keep_damaged, arrives))

    async def refund(self, key: str, order: Order, amount: Money) -> RefundMade:
        if amount > order.value + order.shipping_cost:
            raise ValueError(f"refund {amount} exceeds what order {order.number} cost")
        reference = f"RF-{secrets.token_hex(4).upper()}"
        return await self._once(key, order, RefundMade(reference, amount))

    async def add_treat(self, key: str, order: Order, description: str) -> TreatAdded:
        reference = f"TR-{secrets.token_hex(4).upper()}"
        return await self._once(key, order, TreatAdded(reference, description))

    async def find_gesture(self, key: str, order_number: str, kind: str) -> ShopResult | None:
        async with self._sessions() as session:
            row = await session.get(GestureWriteRow, key)
        return results_json.loads(row.kind, row.result) if row is not None else None

    async def _once(self, key: str, order: Order, result: R) -> R:
        """Record a write once per key; a repeat returns the first result instead."""
        kind = results_json.kind_of(result)
        try:
            async with self._sessions.begin() as session:
                existing = await session.get(GestureWriteRow, key)
                if existing is None:
                    session.add(_write_row(key, kind, order, result, self._clock.now()))
                    return result
        except IntegrityError:  # a concurrent call with the same key won the insert
            pass
        async with self._sessions() as session:
            existing = await session.get(GestureWriteRow, key)
        if existing is None or existing.kind != kind or existing.order_number != order.number:
            raise IdempotencyConflict(f"key {key!r} was used for another write")
        return results_json.loads(kind, existing.result)  # type: ignore[return-value]


def _order_row(spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "number": str(spec["number"]),
        "customer_id": spec["customer"],
        "postcode": _postcode(spec["postcode"]),
        "channel": "webshop",
        "placed_at": resolve(spec["placed"], now).astimezone(UTC),
        "promised_by": resolve(spec["promised_by"], now).astimezone(UTC),
        "carrier": spec["carrier"],
        "tracking_number": spec["tracking_number"],
        "currency": "EUR",
        "shipping_cost_minor": Money.of(spec["shipping_cost"]).minor,
    }


def _line_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "order_number": str(spec["number"]),
            "position": i,
            "sku": line["sku"],
            "name": line["name"],
            "quantity": line["quantity"],
            "unit_price_minor": Money.of(line["unit_price"]).minor,
        }
        for i, line in enumerate(spec["lines"])
    ]


def _chunks(rows: list[Any], size: int = 2000) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _write_row(
    key: str, kind: str, order: Order, result: ShopResult, now: datetime
) -> GestureWriteRow:
    return GestureWriteRow(
        key=key,
        kind=kind,
        order_number=order.number,
        result=results_json.dumps(result),
        created_at=now,
    )


def _next_working_day(now: datetime) -> datetime:
    day = now + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _postcode(text: str) -> str:
    postcode = find_postcode(text)
    if postcode is None:
        raise ValueError(f"demo order has an invalid postcode: {text!r}")
    return postcode


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _to_order(row: OrderRow) -> Order:
    return Order(
        number=row.number,
        customer_id=row.customer_id,
        email=row.customer.email,
        postcode=row.postcode,
        segment=row.customer.segment,
        channel=row.channel,
        placed_at=_aware(row.placed_at),
        promised_by=_aware(row.promised_by),
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        lines=tuple(
            OrderLine(
                line.sku, line.name, line.quantity, Money(line.unit_price_minor, row.currency)
            )
            for line in row.lines
        ),
        shipping_cost=Money(row.shipping_cost_minor, row.currency),
    )

"""Tables of the local demo shop (a stand-in for the merchant's own systems)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class DemoBase(DeclarativeBase):
    pass


class CustomerRow(DemoBase):
    __tablename__ = "demo_customers"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(20))


class OrderRow(DemoBase):
    __tablename__ = "demo_orders"
    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("demo_customers.id"))
    postcode: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20), default="webshop")
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    promised_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    carrier: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    shipping_cost_minor: Mapped[int] = mapped_column(Integer)
    customer: Mapped[CustomerRow] = relationship(lazy="joined")
    lines: Mapped[list[OrderLineRow]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="OrderLineRow.position"
    )


class OrderLineRow(DemoBase):
    __tablename__ = "demo_order_lines"
    order_number: Mapped[str] = mapped_column(ForeignKey("demo_orders.number"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)


class GestureWriteRow(DemoBase):
    """One carried-out gesture, keyed by the caller's idempotency key."""

    __tablename__ = "demo_gesture_writes"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    order_number: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(2000))  # JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

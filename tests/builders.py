"""Builders for domain objects in tests: sensible defaults, override what a test is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from carriers.model import DeliveryWindow, Shipment, ShipmentStatus
from herstel.money import Money
from shop.model import Order, OrderLine

NOW = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)  # 12:30 in Amsterdam


def an_order(**overrides: Any) -> Order:
    order = Order(
        number="100482",
        customer_id="cus_0001",
        email="anna@example.nl",
        postcode="3512JE",
        segment="regular",
        channel="webshop",
        placed_at=NOW - timedelta(days=1),
        promised_by=NOW - timedelta(minutes=30),
        carrier="postnl",
        tracking_number="3SHRST100482",
        lines=(OrderLine("LAP-14", "laptop", 1, Money.of("899.00")),),
        shipping_cost=Money.zero(),
    )
    return replace(order, **overrides)


def a_shipment(
    status: ShipmentStatus = ShipmentStatus.OUT_FOR_DELIVERY, **overrides: Any
) -> Shipment:
    shipment = Shipment(
        carrier="postnl",
        tracking_number="3SHRST100482",
        status=status,
        carrier_status_code="7",
        carrier_status_text="Zending is onderweg naar de ontvanger",
        status_at=NOW - timedelta(hours=2),
        expected=DeliveryWindow(NOW + timedelta(minutes=35), NOW + timedelta(minutes=65)),
    )
    return replace(shipment, **overrides)

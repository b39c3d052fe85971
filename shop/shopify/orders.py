"""Shopify's Order object read into Herstel's Order, with what the gestures need besides."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from herstel.money import Money
from shop.model import Order, OrderLine

REFUNDABLE_KINDS = {"SALE", "CAPTURE"}


@dataclass(frozen=True, slots=True)
class Payment:
    """A successful sale or capture that a refund can go back through."""

    id: str
    gateway: str
    amount: Money


@dataclass(frozen=True, slots=True)
class ShopifyOrder:
    order: Order
    gid: str
    customer_gid: str | None
    note: str
    address: dict[str, Any] | None
    variants: dict[str, str] = field(default_factory=dict)  # sku -> ProductVariant gid
    refund_notes: dict[str, tuple[str, Money]] = field(default_factory=dict)  # id -> note, sum
    payments: tuple[Payment, ...] = ()

    @property
    def refunded(self) -> Money:
        total = Money.zero(self.order.shipping_cost.currency)
        for _, amount in self.refund_notes.values():
            total += amount
        return total


@dataclass(frozen=True, slots=True)
class Rules:
    """Shop-specific readings: which tag makes a VIP, the promise when checkout gave none."""

    order_prefix: str = "#"
    vip_tag: str = "vip"
    promise: timedelta = timedelta(days=2)


def carrier_of(company: str | None) -> str:
    """Shopify's tracking company name as one of our carriers ('PostNL International' ->
    'postnl', 'DHL eCommerce' -> 'dhl'); any other company by its own name, lower case."""
    name = (company or "").strip().casefold()
    if "postnl" in name.replace(" ", ""):
        return "postnl"
    if name.startswith("dhl"):
        return "dhl"
    return name.replace(" ", "_")


def postcode_of(zip_code: str | None) -> str:
    """'3512 je' -> '3512JE', the form the identity check compares."""
    return "".join((zip_code or "").split()).upper()


def read_order(node: dict[str, Any], rules: Rules) -> ShopifyOrder:
    currency = node["currencyCode"]
    lines = tuple(_line(n, currency) for n in node["lineItems"]["nodes"])
    carrier, tracking = _tracking(node.get("fulfillments") or [])
    customer = node.get("customer") or None
    address = node.get("shippingAddress") or None
    placed = _time(node.get("processedAt") or node["createdAt"])
    order = Order(
        number=_number(node["name"], rules.order_prefix),
        customer_id=_customer_id(customer, node.get("email") or ""),
        email=(node.get("email") or "").lower(),
        postcode=postcode_of((address or {}).get("zip")),
        segment=_segment(customer, rules.vip_tag),
        channel="webshop" if node.get("sourceName") in (None, "web") else str(node["sourceName"]),
        placed_at=placed,
        promised_by=_promise(node.get("fulfillmentOrders"), placed + rules.promise),
        carrier=carrier,
        tracking_number=tracking,
        lines=lines,
        shipping_cost=_money(node["totalShippingPriceSet"], currency),
    )
    return ShopifyOrder(
        order=order,
        gid=node["id"],
        customer_gid=customer["id"] if customer else None,
        note=node.get("note") or "",
        address=address,
        variants={
            line.sku: n["variant"]["id"]
            for line, n in zip(lines, node["lineItems"]["nodes"], strict=True)
            if n.get("variant")
        },
        refund_notes={
            r["id"]: (r.get("note") or "", _money(r["totalRefundedSet"], currency))
            for r in node.get("refunds") or []
        },
        payments=tuple(_payments(node.get("transactions") or [], currency)),
    )


def _number(name: str, prefix: str) -> str:
    return name[len(prefix) :] if prefix and name.startswith(prefix) else name


def _customer_id(customer: dict[str, Any] | None, email: str) -> str:
    if customer:
        return "shopify-" + str(customer["id"]).rsplit("/", 1)[-1]
    # A guest checkout has no customer: its e-mail address is who it is, kept out of sight.
    return "shopify-guest-" + hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def _segment(customer: dict[str, Any] | None, vip_tag: str) -> str:
    if customer is None:
        return "new"
    if vip_tag.casefold() in {str(t).casefold() for t in customer.get("tags") or []}:
        return "vip"
    return "new" if int(customer.get("numberOfOrders") or 0) <= 1 else "regular"


def _tracking(fulfillments: list[dict[str, Any]]) -> tuple[str, str]:
    """The newest fulfilment's first tracking number; ('', '') while nothing has shipped."""
    for fulfillment in sorted(fulfillments, key=lambda f: f.get("createdAt") or "", reverse=True):
        for info in fulfillment.get("trackingInfo") or []:
            if info.get("number"):
                return carrier_of(info.get("company")), str(info["number"]).strip().upper()
    return "", ""


def _promise(fulfillment_orders: dict[str, Any] | None, fallback: datetime) -> datetime:
    latest = [
        _time(n["deliveryMethod"]["maxDeliveryDateTime"])
        for n in (fulfillment_orders or {}).get("nodes") or []
        if (n.get("deliveryMethod") or {}).get("maxDeliveryDateTime")
    ]
    return max(latest, default=fallback)


def _line(node: dict[str, Any], currency: str) -> OrderLine:
    sku = node.get("sku") or str((node.get("variant") or {}).get("id") or node["id"])
    price = _money(node["originalUnitPriceSet"], currency)
    return OrderLine(sku, node["name"], int(node["quantity"]), price)


def _payments(transactions: list[dict[str, Any]], currency: str) -> list[Payment]:
    return [
        Payment(t["id"], t["gateway"], _money(t["amountSet"], currency))
        for t in transactions
        if t.get("kind") in REFUNDABLE_KINDS and t.get("status") == "SUCCESS"
    ]


def _money(money_bag: dict[str, Any], currency: str) -> Money:
    shop = money_bag["shopMoney"]
    if shop["currencyCode"] != currency:
        raise ValueError(f"amount in {shop['currencyCode']} on an order in {currency}")
    return Money.of(Decimal(str(shop["amount"])), currency)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def money_text(money: Money) -> str:
    """Shopify's Decimal and Money scalars are strings: '10.00'."""
    return format(money.amount, "f")

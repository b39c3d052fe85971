"""The simulated store: Shopify-shaped orders, gift cards, draft orders and refunds in memory,
seeded from the demo world's order specs (shop/demo_orders.yml and generated worlds)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from herstel.money import Money
from herstel.reltime import resolve
from shop.identity import find_postcode

COMPANIES = {"postnl": "PostNL", "dhl": "DHL eCommerce"}
ORDERS_PER_SEGMENT = {"new": 1, "regular": 4, "vip": 12}


def gid(kind: str, key: str | int) -> str:
    number = key if isinstance(key, int) else int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)
    return f"gid://shopify/{kind}/{number}"


def money_bag(amount: Decimal | str, currency: str) -> dict[str, Any]:
    money = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


@dataclass
class Store:
    currency: str = "EUR"
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name ("#100482")
    gift_cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # by code, upper case
    draft_orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # by gid
    idempotent: dict[str, tuple[str, Any]] = field(default_factory=dict)  # key -> (input, result)
    serial: itertools.count[int] = field(default_factory=lambda: itertools.count(900001))

    def next_id(self) -> int:
        return next(self.serial)

    def by_gid(self, node_id: str) -> dict[str, Any] | None:
        order = next((o for o in self.orders.values() if o["id"] == node_id), None)
        return order or self.draft_orders.get(node_id)

    def variant_exists(self, variant_id: str) -> bool:
        return any(
            (line.get("variant") or {}).get("id") == variant_id
            for order in self.orders.values()
            for line in order["lineItems"]["nodes"]
        )

    def seed(self, spec: dict[str, Any], now: datetime) -> int:
        """Add the spec's orders (times relative to now); returns how many."""
        customers = {c["id"]: c for c in spec.get("customers", [])}
        for order in spec.get("orders", []):
            node = order_node(order, customers[order["customer"]], now, self.currency)
            self.orders[node["name"]] = node
        return len(spec.get("orders", []))

    def counts(self) -> dict[str, Any]:
        """What tests and demos inspect: the gestures the store holds."""
        return {
            "gift_cards": [
                {"code": code, "amount": card["initialValue"]["amount"], "note": card["note"]}
                for code, card in self.gift_cards.items()
            ],
            "refunds": {
                name: [r["totalRefundedSet"]["shopMoney"]["amount"] for r in order["refunds"]]
                for name, order in self.orders.items()
                if order["refunds"]
            },
            "draft_orders": [
                {"id": d["id"], "status": d["status"], "tags": d["tags"]}
                for d in self.draft_orders.values()
            ],
        }


def order_node(
    spec: dict[str, Any], customer: dict[str, Any], now: datetime, currency: str
) -> dict[str, Any]:
    number = str(spec["number"])
    placed = resolve(spec["placed"], now).astimezone(UTC).isoformat()
    promised = resolve(spec["promised_by"], now).astimezone(UTC).isoformat()
    lines = [
        {
            "id": gid("LineItem", f"{number}:{i}"),
            "sku": line["sku"],
            "name": line["name"],
            "quantity": line["quantity"],
            "variant": {"id": gid("ProductVariant", line["sku"])},
            "originalUnitPriceSet": money_bag(line["unit_price"], currency),
        }
        for i, line in enumerate(spec["lines"])
    ]
    total = Money.of(spec["shipping_cost"], currency)
    for line in spec["lines"]:
        total += Money(Money.of(line["unit_price"], currency).minor * line["quantity"], currency)
    postcode = find_postcode(spec["postcode"]) or spec["postcode"]
    return {
        "__typename": "Order",
        "id": gid("Order", number),
        "name": f"#{number}",
        "email": customer["email"],
        "createdAt": placed,
        "processedAt": placed,
        "currencyCode": currency,
        "sourceName": "web",
        "tags": [],
        "note": None,
        "customer": {
            "id": gid("Customer", customer["id"]),
            "numberOfOrders": str(ORDERS_PER_SEGMENT.get(customer["segment"], 1)),
            "tags": ["vip"] if customer["segment"] == "vip" else [],
        },
        "shippingAddress": {
            "firstName": "Demo",
            "lastName": "Klant",
            "address1": "Voorbeeldstraat 1",
            "city": "Utrecht",
            "zip": f"{postcode[:4]} {postcode[4:]}",
            "countryCodeV2": "NL",
        },
        "totalShippingPriceSet": money_bag(spec["shipping_cost"], currency),
        "lineItems": {"nodes": lines},
        "fulfillments": [
            {
                "id": gid("Fulfillment", number),
                "createdAt": placed,
                "trackingInfo": [
                    {"company": COMPANIES[spec["carrier"]], "number": spec["tracking_number"]}
                ],
            }
        ],
        "fulfillmentOrders": {
            "nodes": [
                {
                    "id": gid("FulfillmentOrder", number),
                    "deliveryMethod": {
                        "id": gid("DeliveryMethod", number),
                        "maxDeliveryDateTime": promised,
                    },
                }
            ]
        },
        "refunds": [],
        "transactions": [
            {
                "id": gid("OrderTransaction", number),
                "kind": "SALE",
                "status": "SUCCESS",
                "gateway": "shopify_payments",
                "amountSet": money_bag(total.amount, currency),
            }
        ],
    }

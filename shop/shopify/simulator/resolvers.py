"""What the simulated store does for each query and mutation Herstel sends.

Behaviour follows Shopify's documentation where Herstel depends on it: gift card codes are
unique (TAKEN), refunds honour @idempotent and cannot exceed what was paid, a completed draft
order becomes an order that keeps the draft's tags.
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.values import get_directive_values

from herstel.clock import Clock
from shop.shopify.simulator.store import Store, gid, money_bag

_TERM = re.compile(r'(\w+):(?:"((?:[^"\\]|\\.)*)"|(\S+))')
CODE = re.compile(r"^[A-Za-z0-9]{8,20}$")
IDEMPOTENCY_REQUIRED_FROM = "2026-04"


class Resolvers:
    def __init__(self, store: Store, clock: Clock, api_version: str) -> None:
        self.store = store
        self.clock = clock
        self.api_version = api_version

    def install(self, schema: GraphQLSchema) -> None:
        assert schema.query_type is not None and schema.mutation_type is not None
        fields = {**schema.query_type.fields, **schema.mutation_type.fields}
        for name, field in fields.items():
            field.resolve = getattr(self, re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())

    def _now(self) -> str:
        return self.clock.now().astimezone(UTC).isoformat()

    # --- queries ----------------------------------------------------------------------

    def orders(self, _root: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        terms = _terms(args.get("query") or "")
        found = [o for o in self.store.orders.values() if _order_matches(o, terms)]
        found.sort(key=lambda o: o["processedAt"], reverse=bool(args.get("reverse")))
        return {"nodes": found[: args.get("first") or 50]}

    def gift_cards(self, _root: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        card = self.store.gift_cards.get(str(args.get("query") or "").strip().upper())
        return {"nodes": [card] if card else []}

    def draft_orders(self, _root: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        tags = [v for k, v in _terms(args.get("query") or "") if k == "tag"]
        found = [d for d in self.store.draft_orders.values() if all(t in d["tags"] for t in tags)]
        return {"nodes": found[: args.get("first") or 50]}

    # --- mutations --------------------------------------------------------------------

    def gift_card_create(
        self, _root: Any, _info: GraphQLResolveInfo, input: dict[str, Any]
    ) -> dict[str, Any]:
        code = str(input.get("code") or "").upper()
        value = _decimal(input["initialValue"])
        if not CODE.match(code):
            return _gift_card_error("code", "INVALID", "Code must be 8-20 letters or digits")
        if value is None or value <= 0:
            return _gift_card_error("initialValue", "GREATER_THAN", "must be greater than 0")
        if code in self.store.gift_cards:
            return _gift_card_error("code", "TAKEN", "Code has already been taken")
        card = {
            "__typename": "GiftCard",
            "id": gid("GiftCard", self.store.next_id()),
            "note": input.get("note"),
            "expiresOn": input.get("expiresOn"),
            "lastCharacters": code[-4:],
            "initialValue": {"amount": str(value), "currencyCode": self.store.currency},
        }
        self.store.gift_cards[code] = card
        return {"giftCard": card, "giftCardCode": code, "userErrors": []}

    def refund_create(
        self, _root: Any, info: GraphQLResolveInfo, input: dict[str, Any]
    ) -> dict[str, Any]:
        key = self._idempotency_key(info)
        fingerprint = json.dumps(input, sort_keys=True, default=str)
        if key is not None and key in self.store.idempotent:
            earlier, result = self.store.idempotent[key]
            if earlier != fingerprint:
                raise _error("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "key used with other input")
            return result
        result = self._refund(input)
        if key is not None and not result["userErrors"]:
            self.store.idempotent[key] = (fingerprint, result)
        return result

    def _idempotency_key(self, info: GraphQLResolveInfo) -> str | None:
        directive = info.schema.get_directive("idempotent")
        assert directive is not None
        values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
        if values is None and self.api_version >= IDEMPOTENCY_REQUIRED_FROM:
            raise _error("BAD_REQUEST", "refundCreate requires the @idempotent directive")
        return str(values["key"]) if values else None

    def _refund(self, input: dict[str, Any]) -> dict[str, Any]:
        order = self.store.by_gid(input["orderId"])
        if order is None or order.get("__typename") != "Order":
            return _user_error("orderId", "Order does not exist")
        paid = sum(_decimal(t["amountSet"]["shopMoney"]["amount"]) or 0 for t in _sales(order))
        refunded = sum(
            _decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) or 0 for r in order["refunds"]
        )
        total = Decimal(0)
        for transaction in input.get("transactions") or []:
            amount = _decimal(transaction["amount"])
            parent = next(
                (t for t in _sales(order) if t["id"] == transaction.get("parentId")), None
            )
            if amount is None or amount <= 0 or parent is None or transaction["kind"] != "REFUND":
                return _user_error("transactions", "Transaction is invalid")
            total += amount
        if total <= 0 or total > paid - refunded:
            return _user_error("transactions", "Refund amount exceeds the refundable amount")
        refund = {
            "id": gid("Refund", self.store.next_id()),
            "note": input.get("note"),
            "createdAt": self._now(),
            "totalRefundedSet": money_bag(total, self.store.currency),
        }
        order["refunds"].append(refund)
        return {"refund": refund, "order": order, "userErrors": []}

    def draft_order_create(
        self, _root: Any, _info: GraphQLResolveInfo, input: dict[str, Any]
    ) -> dict[str, Any]:
        items = input.get("lineItems") or []
        if not items:
            return _user_error("lineItems", "Add at least 1 product")
        if any(not self.store.variant_exists(str(i.get("variantId"))) for i in items):
            return _user_error("lineItems", "Product variant does not exist")
        draft = {
            "__typename": "DraftOrder",
            "id": gid("DraftOrder", self.store.next_id()),
            "status": "OPEN",
            "order": None,
            "tags": list(dict.fromkeys(input.get("tags") or [])),
            "input": input,
        }
        self.store.draft_orders[draft["id"]] = draft
        return {"draftOrder": draft, "userErrors": []}

    def draft_order_complete(
        self, _root: Any, _info: GraphQLResolveInfo, id: str, **_: Any
    ) -> dict[str, Any]:
        draft = self.store.draft_orders.get(id)
        if draft is None:
            return _user_error("id", "Draft order does not exist")
        if draft["status"] == "COMPLETED":
            return _user_error("id", "This order has already been paid")
        number = self.store.next_id()
        source = draft["input"]
        order = {
            "__typename": "Order",
            "id": gid("Order", number),
            "name": f"#{number}",
            "email": source.get("email"),
            "createdAt": self._now(),
            "processedAt": self._now(),
            "currencyCode": self.store.currency,
            "sourceName": "shopify_draft_order",
            "tags": list(draft["tags"]),
            "note": source.get("note"),
            "customer": None,
            "shippingAddress": None,
            "totalShippingPriceSet": money_bag("0.00", self.store.currency),
            "lineItems": {"nodes": []},
            "fulfillments": [],
            "fulfillmentOrders": {"nodes": []},
            "refunds": [],
            "transactions": [],
        }
        self.store.orders[order["name"]] = order
        draft.update(status="COMPLETED", order=order)
        return {"draftOrder": draft, "userErrors": []}

    def tags_add(
        self, _root: Any, _info: GraphQLResolveInfo, id: str, tags: list[str]
    ) -> dict[str, Any]:
        node = self.store.by_gid(id)
        if node is None:
            return _user_error("id", "Resource not found")
        node["tags"] = list(dict.fromkeys([*node["tags"], *tags]))
        return {"node": node, "userErrors": []}

    def order_update(
        self, _root: Any, _info: GraphQLResolveInfo, input: dict[str, Any]
    ) -> dict[str, Any]:
        order = self.store.by_gid(input["id"])
        if order is None or order.get("__typename") != "Order":
            return _user_error("id", "Order does not exist")
        if "note" in input:
            order["note"] = input["note"]
        return {"order": order, "userErrors": []}


def _terms(query: str) -> list[tuple[str, str]]:
    """'name:"#1001" tag:x' -> [("name", "#1001"), ("tag", "x")]; quoted or bare values."""
    return [(k, (q or v).replace('\\"', '"')) for k, q, v in _TERM.findall(query)]


def _order_matches(order: dict[str, Any], terms: list[tuple[str, str]]) -> bool:
    for key, value in terms:
        if key == "name" and order["name"] != value:
            return False
        if key == "email" and (order.get("email") or "").lower() != value.lower():
            return False
        if key == "tag" and value not in order["tags"]:
            return False
        if key not in ("name", "email", "tag"):
            return False
    return bool(terms)


def _sales(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in order["transactions"] if t["kind"] in ("SALE", "CAPTURE")]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _user_error(field: str, message: str) -> dict[str, Any]:
    return {"userErrors": [{"field": [field], "message": message}]}


def _gift_card_error(field: str, code: str, message: str) -> dict[str, Any]:
    return {
        "giftCard": None,
        "userErrors": [{"field": ["input", field], "code": code, "message": message}],
    }


def _error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})

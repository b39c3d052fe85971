"""ShopifyShop: shop.model.Shop over the Shopify Admin GraphQL API.

Every gesture first looks for what an earlier attempt with the same idempotency key made
(records.py says where it is recorded), and only then writes; so a retry after a timeout,
a restart or a second server's attempt returns the first result.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import aiohttp

from herstel.clock import Clock
from herstel.money import Money
from shop.errors import IdempotencyConflict, ShopError, ShopRefused
from shop.gestures import (
    RefundMade,
    ReplacementCreated,
    ShopResult,
    TreatAdded,
    VoucherIssued,
)
from shop.model import Order
from shop.shopify import documents as doc
from shop.shopify.client import ShopifyClient
from shop.shopify.orders import Payment, Rules, ShopifyOrder, money_text, read_order
from shop.shopify.records import MARK, gift_card_code, idempotency_key, reference

log = logging.getLogger(__name__)

VOUCHER_VALIDITY = timedelta(days=365)
_NUMBER = re.compile(r"^\d{1,12}$")
MAX_EMAIL = 254


class ShopifyShop:
    def __init__(
        self,
        client: ShopifyClient,
        clock: Clock,
        *,
        code_secret: str,
        rules: Rules | None = None,
        notify_customer: bool = True,
    ) -> None:
        if not code_secret:
            raise ValueError("ShopifyShop needs a secret to derive gift card codes from")
        self._client = client
        self._clock = clock
        self._secret = code_secret
        self._rules = rules or Rules()
        self._notify = notify_customer

    @classmethod
    def connect(
        cls,
        session: aiohttp.ClientSession,
        endpoint: str,
        access_token: str,
        clock: Clock,
        *,
        timeout: float = 5.0,
        code_secret: str = "",
        rules: Rules | None = None,
        notify_customer: bool = True,
    ) -> ShopifyShop:
        client = ShopifyClient(session, endpoint, access_token, timeout=timeout)
        return cls(
            client,
            clock,
            code_secret=code_secret or access_token,
            rules=rules,
            notify_customer=notify_customer,
        )

    # --- orders -----------------------------------------------------------------------

    async def find_order(self, number: str) -> Order | None:
        found = await self._read(number)
        return found.order if found else None

    async def find_latest_order(self, email: str, postcode: str) -> Order | None:
        email = email.strip().lower()
        if not email or len(email) > MAX_EMAIL:
            return None
        data = await self._client.execute(
            "HerstelOrders", doc.ORDERS, {"query": f"email:{_quoted(email)}", "first": 10}
        )
        for node in data["orders"]["nodes"]:  # newest first
            order = read_order(node, self._rules).order
            if order.email == email and order.postcode == postcode:
                return order
        return None

    async def _read(self, number: str) -> ShopifyOrder | None:
        if not _NUMBER.match(number):
            return None
        name = f"{self._rules.order_prefix}{number}"
        data = await self._client.execute(
            "HerstelOrders", doc.ORDERS, {"query": f"name:{_quoted(name)}", "first": 5}
        )
        # The search is a search: only the order with exactly this name is the one asked for.
        node = next((n for n in data["orders"]["nodes"] if n["name"] == name), None)
        return read_order(node, self._rules) if node else None

    async def _read_required(self, order: Order) -> ShopifyOrder:
        found = await self._read(order.number)
        if found is None:
            raise ShopRefused(f"order {order.number} is no longer in the shop")
        return found

    # --- gestures ---------------------------------------------------------------------

    async def issue_voucher(self, key: str, order: Order, amount: Money) -> VoucherIssued:
        code, ref = gift_card_code(key, self._secret), reference(key)
        expires = (self._clock.now() + VOUCHER_VALIDITY).date()
        gift_card = {
            "initialValue": money_text(amount),
            "code": code,
            "expiresOn": expires.isoformat(),
            "note": f"{ref}: service recovery for order {order.number}",
        }
        data = await self._client.execute(
            "HerstelGiftCardCreate", doc.GIFT_CARD_CREATE, {"input": gift_card}
        )
        payload = data["giftCardCreate"]
        errors = payload.get("userErrors") or []
        if any(e.get("code") == "TAKEN" for e in errors):
            # Our code exists already: an earlier attempt with this key made the card.
            card = await self._gift_card(code, ref, amount)
        elif errors:
            raise ShopRefused("gift card refused: " + _messages(errors))
        else:
            card = payload["giftCard"]
        await self._record(order.number, ref)
        until = _day_end(card["expiresOn"]) if card and card.get("expiresOn") else _day_end(expires)
        return VoucherIssued(code, amount, until)

    async def _gift_card(self, code: str, ref: str, amount: Money) -> dict[str, Any] | None:
        data = await self._client.execute("HerstelGiftCards", doc.GIFT_CARDS, {"query": code})
        card = next(iter(data["giftCards"]["nodes"]), None)
        if card is None:
            return None  # not searchable yet; the code is ours all the same
        value = Money.of(card["initialValue"]["amount"], card["initialValue"]["currencyCode"])
        if ref not in (card.get("note") or "") or value != amount:
            raise IdempotencyConflict(f"gift card {card['id']} was not made for this gesture")
        return card

    async def refund(self, key: str, order: Order, amount: Money) -> RefundMade:
        found, ref = await self._read_required(order), reference(key)
        for refund_id, (note, refunded) in found.refund_notes.items():
            if ref in note:
                if refunded != amount:
                    raise IdempotencyConflict(f"refund {refund_id} was for another amount")
                return RefundMade(_tail(refund_id), refunded)
        payment = _payment_for(found, amount)
        refund = {
            "orderId": found.gid,
            "note": f"{ref}: service recovery",
            "notify": self._notify,
            "transactions": [
                {
                    "orderId": found.gid,
                    "parentId": payment.id,
                    "gateway": payment.gateway,
                    "kind": "REFUND",
                    "amount": money_text(amount),
                }
            ],
        }
        variables = {"input": refund, "idempotencyKey": idempotency_key(key)}
        data = await self._client.execute("HerstelRefundCreate", doc.REFUND_CREATE, variables)
        payload = data["refundCreate"]
        if payload.get("userErrors"):
            raise ShopRefused("refund refused: " + _messages(payload["userErrors"]))
        await self._record(order.number, ref, found.gid)
        return RefundMade(_tail(payload["refund"]["id"]), amount)

    async def create_replacement(
        self, key: str, order: Order, sku: str, *, keep_damaged: bool
    ) -> ReplacementCreated:
        found, ref = await self._read_required(order), reference(key)
        draft = await self._draft(ref)
        if draft is None:
            draft = await self._create_draft(found, ref, sku, keep_damaged=keep_damaged)
        if draft["status"] != "COMPLETED" or not draft.get("order"):
            data = await self._client.execute(
                "HerstelDraftOrderComplete", doc.DRAFT_ORDER_COMPLETE, {"id": draft["id"]}
            )
            payload = data["draftOrderComplete"]
            if payload.get("userErrors"):
                raise ShopRefused("replacement not completed: " + _messages(payload["userErrors"]))
            draft = payload["draftOrder"]
        await self._record(order.number, ref, found.gid)
        number = _strip(draft["order"]["name"], self._rules.order_prefix)
        return ReplacementCreated(number, keep_damaged, _next_working_day(self._clock.now()))

    async def _draft(self, ref: str) -> dict[str, Any] | None:
        data = await self._client.execute(
            "HerstelDraftOrders", doc.DRAFT_ORDERS, {"query": f"tag:{_quoted(ref)}"}
        )
        return next(iter(data["draftOrders"]["nodes"]), None)

    async def _create_draft(
        self, found: ShopifyOrder, ref: str, sku: str, *, keep_damaged: bool
    ) -> dict[str, Any]:
        variant = found.variants.get(sku)
        if variant is None:
            raise ShopRefused(f"order {found.order.number} has no product variant for {sku}")
        currency = found.order.shipping_cost.currency
        keep = "the customer keeps the damaged item" if keep_damaged else "return the item"
        draft: dict[str, Any] = {
            "lineItems": [{"variantId": variant, "quantity": 1}],
            "appliedDiscount": {"valueType": "PERCENTAGE", "value": 100.0, "title": "Herstel"},
            "shippingLine": {
                "title": "Replacement",
                "priceWithCurrency": {"amount": "0.00", "currencyCode": currency},
            },
            "email": found.order.email,
            "note": f"{ref}: free replacement for order {found.order.number}; {keep}",
            "tags": [MARK, ref],
        }
        if found.address:
            draft["shippingAddress"] = _address_input(found.address)
        if found.customer_gid:
            draft["purchasingEntity"] = {"customerId": found.customer_gid}
        # Not repeated within the call: Shopify cannot deduplicate a draft order, and the
        # next attempt looks for the tagged one first.
        data = await self._client.execute(
            "HerstelDraftOrderCreate", doc.DRAFT_ORDER_CREATE, {"input": draft}, repeatable=False
        )
        payload = data["draftOrderCreate"]
        if payload.get("userErrors"):
            raise ShopRefused("replacement refused: " + _messages(payload["userErrors"]))
        return dict(payload["draftOrder"])

    async def add_treat(self, key: str, order: Order, description: str) -> TreatAdded:
        found, ref = await self._read_required(order), reference(key)
        if ref not in found.note:
            line = f"{ref}: put in the next parcel: {description}"
            note = f"{found.note}\n{line}" if found.note else line
            data = await self._client.execute(
                "HerstelOrderNote", doc.ORDER_NOTE, {"input": {"id": found.gid, "note": note}}
            )
            errors = data["orderUpdate"].get("userErrors")
            if errors:
                raise ShopRefused("order note refused: " + _messages(errors))
        await self._record(order.number, ref, found.gid)
        return TreatAdded(ref, description)

    async def find_gesture(self, key: str, order_number: str, kind: str) -> ShopResult | None:
        """What an earlier write under this key made, found where records.py says it is kept."""
        ref = reference(key)
        if kind == "voucher":
            code = gift_card_code(key, self._secret)
            data = await self._client.execute("HerstelGiftCards", doc.GIFT_CARDS, {"query": code})
            card = next(iter(data["giftCards"]["nodes"]), None)
            if card is None or ref not in (card.get("note") or ""):
                return None
            value = Money.of(card["initialValue"]["amount"], card["initialValue"]["currencyCode"])
            expires = card.get("expiresOn")
            until = _day_end(expires) if expires else self._clock.now() + VOUCHER_VALIDITY
            return VoucherIssued(code, value, until)
        if kind == "replacement":
            draft = await self._draft(ref)
            if draft is None or not draft.get("order"):
                return None
            # What reconcile needs is the order made; the draft's terms stay on it in Shopify.
            number = _strip(draft["order"]["name"], self._rules.order_prefix)
            return ReplacementCreated(number, False, _next_working_day(self._clock.now()))
        found = await self._read(order_number)
        if found is None:
            return None
        if kind == "treat":
            line = next((x for x in found.note.splitlines() if x.startswith(f"{ref}:")), None)
            return TreatAdded(ref, line.split(": ", 2)[-1]) if line else None
        for refund_id, (note, refunded) in found.refund_notes.items():
            if ref in note:
                return RefundMade(_tail(refund_id), refunded)
        return None

    async def _record(self, number: str, ref: str, gid: str | None = None) -> None:
        """Tag the order with the gesture's reference. The gesture itself is made and found by
        its own record, so a tag that cannot be added now is logged, not a failure."""
        try:
            if gid is None:
                found = await self._read(number)
                if found is None:
                    return
                gid = found.gid
            data = await self._client.execute(
                "HerstelTagsAdd", doc.TAGS_ADD, {"id": gid, "tags": [MARK, ref]}
            )
            if data["tagsAdd"].get("userErrors"):
                log.warning("order %s: tag %s refused", number, ref)
        except ShopError as exc:
            log.warning("order %s: tag %s not added: %s", number, ref, exc)


def _payment_for(found: ShopifyOrder, amount: Money) -> Payment:
    """The payment a refund of `amount` goes back through: the largest one that covers it."""
    paid = Money.zero(amount.currency)
    for payment in found.payments:
        paid += payment.amount
    if amount > paid - found.refunded:
        raise ShopRefused(f"order {found.order.number} has less than {amount} left to refund")
    covering = [p for p in found.payments if p.amount >= amount and p.gateway != "gift_card"]
    if not covering:
        raise ShopRefused(f"no single payment on order {found.order.number} covers {amount}")
    return max(covering, key=lambda p: p.amount.minor)


def _address_input(address: dict[str, Any]) -> dict[str, Any]:
    renamed = {"countryCodeV2": "countryCode"}
    return {renamed.get(k, k): v for k, v in address.items() if v not in (None, "")}


def _quoted(value: str) -> str:
    """A value for Shopify's search syntax: quoted, so customer text stays one value."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _messages(errors: list[dict[str, Any]]) -> str:
    return "; ".join(str(e.get("message", "")) for e in errors)[:500]


def _tail(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix) :] if prefix and name.startswith(prefix) else name


def _day_end(day: date | str) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(day, time(23, 59), UTC)


def _next_working_day(now: datetime) -> datetime:
    day = now + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day

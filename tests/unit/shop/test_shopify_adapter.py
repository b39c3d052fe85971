"""ShopifyShop: the queries and mutations it sends, and how it finds an earlier gesture."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphql
import pytest

from herstel.clock import FrozenClock
from herstel.money import Money
from shop.errors import IdempotencyConflict, ShopRefused, ShopUnavailable
from shop.model import Order
from shop.shopify import documents
from shop.shopify.adapter import ShopifyShop
from shop.shopify.records import gift_card_code, idempotency_key, reference
from tests.unit.shop.conftest import ScriptedClient

SCHEMA = Path(documents.__file__).parent / "simulator" / "schema.graphql"
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
KEY = "case-1:voucher:1"


def shop_with(answers: dict[str, list[Any]]) -> tuple[ShopifyShop, ScriptedClient]:
    client = ScriptedClient(answers)
    shop = ShopifyShop(client, FrozenClock(NOW), code_secret="secret")  # type: ignore[arg-type]
    return shop, client


def orders(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"orders": {"nodes": list(nodes)}}


async def the_laptop(shop: ShopifyShop) -> Order:
    order = await shop.find_order("100482")
    assert order is not None
    return order


TAGGED = {"tagsAdd": {"node": {"id": "x"}, "userErrors": []}}


DOCUMENTS = [n for n in dir(documents) if n.isupper() and not n.startswith("_")]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_is_valid_against_shopifys_schema(name: str) -> None:
    schema = graphql.build_schema(SCHEMA.read_text(encoding="utf-8"))
    assert graphql.validate(schema, graphql.parse(getattr(documents, name))) == []


async def test_finds_an_order_by_its_exact_name_only(order_node: dict[str, Any]) -> None:
    lookalike = {**order_node, "name": "#1004821"}
    shop, client = shop_with({"HerstelOrders": [orders(lookalike, order_node)]})
    order = await shop.find_order("100482")
    assert order is not None and order.number == "100482"
    assert client.calls[0][1]["query"] == 'name:"#100482"'


async def test_an_unknown_or_malformed_number_is_no_order(order_node: dict[str, Any]) -> None:
    shop, client = shop_with({"HerstelOrders": [orders()]})
    assert await shop.find_order("999999") is None
    assert await shop.find_order('1" OR name:*') is None
    assert len(client.calls) == 1  # the malformed one never reached Shopify


async def test_latest_order_needs_email_and_postcode_to_match(order_node: dict[str, Any]) -> None:
    shop, client = shop_with({"HerstelOrders": [orders(order_node)]})
    assert (await shop.find_latest_order("anna.devries@example.nl", "3512JE")) is not None
    assert await shop.find_latest_order("anna.devries@example.nl", "1011AB") is None
    assert client.calls[0][1]["query"] == 'email:"anna.devries@example.nl"'


async def test_a_quote_in_the_email_stays_inside_the_search_value() -> None:
    shop, client = shop_with({"HerstelOrders": [orders()]})
    await shop.find_latest_order('a"b@example.nl', "3512JE")
    assert client.calls[0][1]["query"] == 'email:"a\\"b@example.nl"'


def gift_card(amount: str, note: str) -> dict[str, Any]:
    return {
        "id": "gid://shopify/GiftCard/1",
        "note": note,
        "expiresOn": "2026-03-14",
        "lastCharacters": "ABCD",
        "initialValue": {"amount": amount, "currencyCode": "EUR"},
    }


async def test_voucher_is_a_gift_card_whose_code_comes_from_the_key(
    order_node: dict[str, Any],
) -> None:
    created = {
        "giftCardCreate": {
            "giftCard": gift_card("10.0", "n"),
            "giftCardCode": "x",
            "userErrors": [],
        }
    }
    shop, client = shop_with(
        {
            "HerstelGiftCardCreate": [created],
            "HerstelOrders": [orders(order_node)],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    voucher = await shop.issue_voucher(KEY, order, Money.of("10"))
    sent = client.calls[1][1]["input"]
    assert voucher.code == sent["code"] == gift_card_code(KEY, "secret")
    assert sent["initialValue"] == "10.00" and reference(KEY) in sent["note"]
    assert voucher.valid_until.date().isoformat() == "2026-03-14"
    assert "HerstelTagsAdd" in client.operations()


async def test_a_retried_voucher_finds_the_card_the_first_attempt_made(
    order_node: dict[str, Any],
) -> None:
    taken = {
        "giftCardCreate": {
            "giftCard": None,
            "giftCardCode": None,
            "userErrors": [{"field": ["input", "code"], "code": "TAKEN", "message": "taken"}],
        }
    }
    earlier = {"giftCards": {"nodes": [gift_card("10.00", f"{reference(KEY)}: service recovery")]}}
    shop, client = shop_with(
        {
            "HerstelGiftCardCreate": [taken],
            "HerstelGiftCards": [earlier],
            "HerstelOrders": [orders(order_node)],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    voucher = await shop.issue_voucher(KEY, order, Money.of("10"))
    assert voucher.code == gift_card_code(KEY, "secret") and voucher.amount == Money.of("10")
    assert client.calls[2][1] == {"query": gift_card_code(KEY, "secret")}


async def test_a_taken_code_on_a_card_for_another_gesture_is_a_conflict(
    order_node: dict[str, Any],
) -> None:
    taken = {
        "giftCardCreate": {
            "giftCard": None,
            "giftCardCode": None,
            "userErrors": [{"field": ["code"], "code": "TAKEN", "message": "taken"}],
        }
    }
    other = {"giftCards": {"nodes": [gift_card("25.00", f"{reference(KEY)}: service recovery")]}}
    shop, _ = shop_with(
        {
            "HerstelGiftCardCreate": [taken],
            "HerstelGiftCards": [other],
            "HerstelOrders": [orders(order_node)],
        }
    )
    order = await the_laptop(shop)
    with pytest.raises(IdempotencyConflict):
        await shop.issue_voucher(KEY, order, Money.of("10"))


async def test_a_refused_gift_card_is_a_refusal(order_node: dict[str, Any]) -> None:
    refused = {
        "giftCardCreate": {
            "giftCard": None,
            "giftCardCode": None,
            "userErrors": [
                {
                    "field": ["initialValue"],
                    "code": "GIFT_CARD_LIMIT_EXCEEDED",
                    "message": "too much",
                }
            ],
        }
    }
    shop, _ = shop_with({"HerstelGiftCardCreate": [refused], "HerstelOrders": [orders(order_node)]})
    order = await the_laptop(shop)
    with pytest.raises(ShopRefused, match="too much"):
        await shop.issue_voucher(KEY, order, Money.of("10"))


def refund_created(amount: str) -> dict[str, Any]:
    money = {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}
    refund = {
        "id": "gid://shopify/Refund/77",
        "note": "n",
        "createdAt": "2025-03-14T12:00:00Z",
        "totalRefundedSet": money,
    }
    return {"refundCreate": {"refund": refund, "userErrors": []}}


async def test_refund_goes_back_through_the_capture_under_shopifys_idempotency_key(
    order_node: dict[str, Any],
) -> None:
    shop, client = shop_with(
        {
            "HerstelOrders": [orders(order_node)],
            "HerstelRefundCreate": [refund_created("25.00")],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    made = await shop.refund("case-1:partial_refund:2", order, Money.of("25"))
    assert made.reference == "77" and made.amount == Money.of("25")
    variables = next(v for op, v, _ in client.calls if op == "HerstelRefundCreate")
    assert variables["idempotencyKey"] == idempotency_key("case-1:partial_refund:2")
    (transaction,) = variables["input"]["transactions"]
    assert transaction == {
        "orderId": order_node["id"],
        "parentId": "gid://shopify/OrderTransaction/6977070",
        "gateway": "shopify_payments",
        "kind": "REFUND",
        "amount": "25.00",
    }
    assert reference("case-1:partial_refund:2") in variables["input"]["note"]


async def test_a_refund_already_on_the_order_is_returned_without_refunding_again(
    order_node: dict[str, Any],
) -> None:
    key = "case-9:shipping_refund:1"
    order_node["refunds"][0]["note"] = f"{reference(key)}: service recovery"
    shop, client = shop_with({"HerstelOrders": [orders(order_node)]})
    order = await the_laptop(shop)
    made = await shop.refund(key, order, Money.of("4.95"))
    assert made.reference == "929361465"
    assert "HerstelRefundCreate" not in client.operations()


async def test_more_than_is_left_to_refund_is_refused_before_asking_shopify(
    order_node: dict[str, Any],
) -> None:
    shop, client = shop_with({"HerstelOrders": [orders(order_node)]})
    order = await the_laptop(shop)
    with pytest.raises(ShopRefused, match="left to refund"):
        await shop.refund("k", order, Money.of("903.01"))  # 907.95 paid, 4.95 refunded
    assert "HerstelRefundCreate" not in client.operations()


def draft(status: str, order: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": "gid://shopify/DraftOrder/5", "status": status, "order": order}


async def test_replacement_is_a_tagged_free_draft_order_then_completed(
    order_node: dict[str, Any],
) -> None:
    key = "case-2:replacement:1"
    done = draft("COMPLETED", {"id": "gid://shopify/Order/9", "name": "#100999"})
    shop, client = shop_with(
        {
            "HerstelOrders": [orders(order_node)],
            "HerstelDraftOrders": [{"draftOrders": {"nodes": []}}],
            "HerstelDraftOrderCreate": [
                {"draftOrderCreate": {"draftOrder": draft("OPEN"), "userErrors": []}}
            ],
            "HerstelDraftOrderComplete": [
                {"draftOrderComplete": {"draftOrder": done, "userErrors": []}}
            ],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    made = await shop.create_replacement(key, order, "LAP-14-PRO", keep_damaged=True)
    assert made.replacement_order == "100999" and made.keep_damaged
    _, variables, repeatable = next(c for c in client.calls if c[0] == "HerstelDraftOrderCreate")
    sent = variables["input"]
    assert not repeatable
    assert sent["lineItems"] == [
        {"variantId": "gid://shopify/ProductVariant/43791360327862", "quantity": 1}
    ]
    assert (
        sent["appliedDiscount"]["value"] == 100.0
        and sent["appliedDiscount"]["valueType"] == "PERCENTAGE"
    )
    assert sent["shippingLine"]["priceWithCurrency"] == {"amount": "0.00", "currencyCode": "EUR"}
    assert reference(key) in sent["tags"] and sent["shippingAddress"]["countryCode"] == "NL"


async def test_a_replacement_made_before_is_found_by_its_tag_and_not_made_again(
    order_node: dict[str, Any],
) -> None:
    done = draft("COMPLETED", {"id": "gid://shopify/Order/9", "name": "#100999"})
    shop, client = shop_with(
        {
            "HerstelOrders": [orders(order_node)],
            "HerstelDraftOrders": [{"draftOrders": {"nodes": [done]}}],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    made = await shop.create_replacement(
        "case-2:replacement:1", order, "LAP-14-PRO", keep_damaged=False
    )
    assert made.replacement_order == "100999"
    assert "HerstelDraftOrderCreate" not in client.operations()
    assert "HerstelDraftOrderComplete" not in client.operations()


async def test_a_draft_left_open_by_an_earlier_attempt_is_completed_not_duplicated(
    order_node: dict[str, Any],
) -> None:
    done = draft("COMPLETED", {"id": "gid://shopify/Order/9", "name": "#100999"})
    shop, client = shop_with(
        {
            "HerstelOrders": [orders(order_node)],
            "HerstelDraftOrders": [{"draftOrders": {"nodes": [draft("OPEN")]}}],
            "HerstelDraftOrderComplete": [
                {"draftOrderComplete": {"draftOrder": done, "userErrors": []}}
            ],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    await shop.create_replacement("case-2:replacement:1", order, "LAP-14-PRO", keep_damaged=False)
    assert client.operations().count("HerstelDraftOrderComplete") == 1
    assert "HerstelDraftOrderCreate" not in client.operations()


async def test_an_item_without_a_product_variant_cannot_be_replaced(
    order_node: dict[str, Any],
) -> None:
    shop, _ = shop_with(
        {
            "HerstelOrders": [orders(order_node)],
            "HerstelDraftOrders": [{"draftOrders": {"nodes": []}}],
        }
    )
    order = await the_laptop(shop)
    with pytest.raises(ShopRefused, match="no product variant"):
        await shop.create_replacement(
            "k", order, "gid://shopify/LineItem/14612812988599", keep_damaged=True
        )


async def test_treat_is_written_once_into_the_orders_note(order_node: dict[str, Any]) -> None:
    key = "case-2:treat:3"
    noted = {"orderUpdate": {"order": {"id": "x", "note": "n"}, "userErrors": []}}
    shop, client = shop_with(
        {
            "HerstelOrders": [orders(order_node)],
            "HerstelOrderNote": [noted],
            "HerstelTagsAdd": [TAGGED],
        }
    )
    order = await the_laptop(shop)
    await shop.add_treat(key, order, "a sample")
    note = next(v for op, v, _ in client.calls if op == "HerstelOrderNote")["input"]["note"]
    assert note == f"{reference(key)}: put in the next parcel: a sample"
    order_node["note"] = note
    again, client_again = shop_with(
        {"HerstelOrders": [orders(order_node)], "HerstelTagsAdd": [TAGGED]}
    )
    await again.add_treat(key, order, "a sample")
    assert "HerstelOrderNote" not in client_again.operations()


async def test_a_tag_that_cannot_be_added_does_not_undo_a_made_gesture(
    order_node: dict[str, Any],
) -> None:
    created = {
        "giftCardCreate": {
            "giftCard": gift_card("10.0", "n"),
            "giftCardCode": "x",
            "userErrors": [],
        }
    }
    shop, _ = shop_with(
        {
            "HerstelGiftCardCreate": [created],
            "HerstelOrders": [orders(order_node)],
            "HerstelTagsAdd": [ShopUnavailable("down")],
        }
    )
    order = await the_laptop(shop)
    assert (await shop.issue_voucher(KEY, order, Money.of("10"))).amount == Money.of("10")

"""Shopify's Order object read as Herstel's Order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herstel.money import Money
from shop.shopify.orders import Rules, carrier_of, postcode_of, read_order


def test_reads_the_order_a_customer_names_with_its_facts(order_node: dict[str, Any]) -> None:
    read = read_order(order_node, Rules())
    order = read.order
    assert (order.number, order.email, order.postcode) == (
        "100482",
        "anna.devries@example.nl",
        "3512JE",
    )
    assert order.customer_id == "shopify-7161523994806"
    assert (order.segment, order.channel) == ("regular", "webshop")
    assert order.placed_at == datetime(2025, 3, 13, 9, 12, 41, tzinfo=UTC)
    assert order.promised_by == datetime(2025, 3, 14, 11, 0, tzinfo=UTC)
    assert order.shipping_cost == Money.of("4.95")
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("LAP-14-PRO", 1, Money.of("899.00")),
        ("gid://shopify/LineItem/14612812988599", 2, Money.of("1.50")),
    ]
    assert order.value == Money.of("902.00")


def test_the_newest_fulfilment_gives_carrier_and_tracking_number(
    order_node: dict[str, Any],
) -> None:
    order = read_order(order_node, Rules()).order
    assert (order.carrier, order.tracking_number) == ("postnl", "3SHRST100482")


def test_an_order_not_yet_shipped_has_no_carrier(order_node: dict[str, Any]) -> None:
    order_node["fulfillments"] = []
    order = read_order(order_node, Rules()).order
    assert (order.carrier, order.tracking_number) == ("", "")


def test_without_a_delivery_date_from_checkout_the_shops_promise_applies(
    order_node: dict[str, Any],
) -> None:
    order_node["fulfillmentOrders"] = {"nodes": [{"deliveryMethod": None}]}
    order = read_order(order_node, Rules(promise=timedelta(days=3))).order
    assert order.promised_by == order.placed_at + timedelta(days=3)


@pytest.mark.parametrize(
    ("customer", "segment"),
    [
        ({"id": "gid://shopify/Customer/1", "numberOfOrders": "1", "tags": []}, "new"),
        ({"id": "gid://shopify/Customer/1", "numberOfOrders": "9", "tags": []}, "regular"),
        ({"id": "gid://shopify/Customer/1", "numberOfOrders": "1", "tags": ["VIP"]}, "vip"),
        (None, "new"),
    ],
)
def test_segment_from_the_customers_tags_and_orders(
    order_node: dict[str, Any], customer: Any, segment: str
) -> None:
    order_node["customer"] = customer
    assert read_order(order_node, Rules()).order.segment == segment


def test_a_guest_is_known_by_a_hash_of_the_email_never_the_address(
    order_node: dict[str, Any],
) -> None:
    order_node["customer"] = None
    guest = read_order(order_node, Rules()).order.customer_id
    assert guest.startswith("shopify-guest-") and "anna" not in guest
    order_node["email"] = "ANNA.DEVRIES@example.nl"
    assert read_order(order_node, Rules()).order.customer_id == guest


def test_refunds_and_refundable_payments_are_kept_for_the_gestures(
    order_node: dict[str, Any],
) -> None:
    read = read_order(order_node, Rules())
    assert read.refunded == Money.of("4.95")
    assert [(p.id, p.gateway) for p in read.payments] == [
        ("gid://shopify/OrderTransaction/6977070", "shopify_payments")
    ]
    assert read.variants == {"LAP-14-PRO": "gid://shopify/ProductVariant/43791360327862"}


def test_a_custom_order_prefix_is_not_part_of_the_number(order_node: dict[str, Any]) -> None:
    order_node["name"] = "HRS-100482"
    assert read_order(order_node, Rules(order_prefix="HRS-")).order.number == "100482"


@pytest.mark.parametrize(
    ("company", "carrier"),
    [
        ("PostNL", "postnl"),
        ("PostNL International", "postnl"),
        ("Post NL", "postnl"),
        ("DHL eCommerce", "dhl"),
        ("DHL Express", "dhl"),
        ("DHL Parcel", "dhl"),
        ("Deutsche Post", "deutsche_post"),
        ("DPD", "dpd"),
        (None, ""),
    ],
)
def test_tracking_company_names_map_to_our_carriers(company: str | None, carrier: str) -> None:
    assert carrier_of(company) == carrier


def test_postcodes_compare_without_spaces_in_capitals() -> None:
    assert postcode_of(" 3512 je ") == "3512JE"
    assert postcode_of(None) == ""

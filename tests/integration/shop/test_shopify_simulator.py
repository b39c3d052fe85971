"""The Shopify adapter against the Shopify simulator over real HTTP: throttling, server
errors, answers that come too late, retries and restarts; every gesture made once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from herstel.clock import SystemClock
from herstel.money import Money
from shop.errors import ShopRefused, ShopUnavailable
from shop.model import Order
from shop.shopify.adapter import ShopifyShop
from shop.shopify.simulator.app import Bucket
from tests.support.shopify import RunningSimulator, shopify_simulator

pytestmark = pytest.mark.integration


@pytest.fixture
async def simulator() -> AsyncIterator[RunningSimulator]:
    async with shopify_simulator() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def shop(
    simulator: RunningSimulator, session: aiohttp.ClientSession, **options: float
) -> ShopifyShop:
    return ShopifyShop.connect(
        session, simulator.endpoint, "simulator", SystemClock(), code_secret="s3cret", **options
    )


async def an_order(shopify: ShopifyShop, number: str = "100482") -> Order:
    order = await shopify.find_order(number)
    assert order is not None
    return order


async def test_the_laptop_order_comes_with_its_parcel(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    order = await an_order(shop(simulator, session))
    assert (order.postcode, order.email) == ("3512JE", "anna.devries@example.nl")
    assert (order.carrier, order.tracking_number) == ("postnl", "3SHRST100482")
    assert order.value == Money.of("899.00")
    assert await shop(simulator, session).find_order("999999") is None


async def test_a_wrong_access_token_is_refused(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    wrong = ShopifyShop.connect(session, simulator.endpoint, "shpat_wrong", SystemClock())
    with pytest.raises(ShopRefused, match="401"):
        await wrong.find_order("100482")


async def test_throttled_calls_wait_for_the_bucket_and_all_get_their_answer(
    session: aiohttp.ClientSession,
) -> None:
    async with shopify_simulator(Bucket(maximum=60, restore_rate=40, available=60)) as small:
        shopify = shop(small, session)
        found = await asyncio.gather(*(shopify.find_order("100482") for _ in range(8)))
    assert all(order is not None and order.number == "100482" for order in found)


async def test_an_ordered_throttle_is_waited_out(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    await simulator.order_faults(throttle=2)
    assert (await an_order(shop(simulator, session))).number == "100482"


async def test_a_server_error_then_a_retry_gives_one_gift_card(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session)
    order = await an_order(shopify)
    await simulator.order_faults(server_error=1, operation="HerstelGiftCardCreate")
    voucher = await shopify.issue_voucher("laptop:voucher:1", order, Money.of("10"))
    (card,) = (await simulator.state())["gift_cards"]
    assert card["code"] == voucher.code and card["amount"] == "10.00"


async def test_a_refund_whose_answer_came_too_late_is_not_refunded_twice(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session, timeout=0.5)
    order = await an_order(shopify, "100301")
    await simulator.order_faults(timeout=1, delay=1.5, operation="HerstelRefundCreate")
    made = await shopify.refund("late:shipping_refund:1", order, Money.of("4.95"))
    assert made.amount == Money.of("4.95")
    assert (await simulator.state())["refunds"] == {"#100301": ["4.95"]}


async def test_after_a_restart_the_same_key_finds_the_refund_made_before(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    order = await an_order(shop(simulator, session), "100301")
    first = await shop(simulator, session).refund("late:partial_refund:2", order, Money.of("12.90"))
    async with aiohttp.ClientSession() as after_restart:
        again = await shop(simulator, after_restart).refund(
            "late:partial_refund:2", order, Money.of("12.90")
        )
    assert again == first
    assert (await simulator.state())["refunds"] == {"#100301": ["12.90"]}


async def test_a_gift_card_whose_answer_was_lost_is_found_by_the_retry(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session, timeout=0.5)
    order = await an_order(shopify)
    await simulator.order_faults(timeout=1, delay=1.5, operation="HerstelGiftCardCreate")
    voucher = await shopify.issue_voucher("laptop:voucher:1", order, Money.of("10"))
    again = await shop(simulator, session).issue_voucher("laptop:voucher:1", order, Money.of("10"))
    assert again.code == voucher.code
    assert [c["code"] for c in (await simulator.state())["gift_cards"]] == [voucher.code]


async def test_racing_attempts_with_one_key_make_one_gift_card(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session)
    order = await an_order(shopify)
    vouchers = await asyncio.gather(
        *(shopify.issue_voucher("laptop:voucher:1", order, Money.of("10")) for _ in range(5))
    )
    assert (
        len({v.code for v in vouchers}) == 1 and len((await simulator.state())["gift_cards"]) == 1
    )


async def test_a_replacement_whose_create_timed_out_is_found_by_its_tag_next_time(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session, timeout=0.5)
    oil = await an_order(shopify, "100517")
    await simulator.order_faults(timeout=1, delay=1.5, operation="HerstelDraftOrderCreate")
    with pytest.raises(ShopUnavailable):
        await shopify.create_replacement("oil:replacement:1", oil, "OIL-250", keep_damaged=True)
    made = await shopify.create_replacement("oil:replacement:1", oil, "OIL-250", keep_damaged=True)
    (draft,) = (await simulator.state())["draft_orders"]
    assert draft["status"] == "COMPLETED" and made.keep_damaged


async def test_a_refund_beyond_what_was_paid_is_refused_and_nothing_refunded(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session)
    oil = await an_order(shopify, "100517")
    with pytest.raises(ShopRefused):
        await shopify.refund("oil:full_refund:9", oil, Money.of("500"))
    assert (await simulator.state())["refunds"] == {}


async def test_shopify_requires_the_idempotency_directive_on_refunds(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    mutation = "mutation R($input: RefundInput!) { refundCreate(input: $input) { refund { id } } }"
    body = {
        "query": mutation,
        "variables": {"input": {"orderId": "gid://shopify/Order/1"}},
    }
    headers = {"X-Shopify-Access-Token": "simulator"}
    async with session.post(simulator.endpoint, json=body, headers=headers) as response:
        answer = await response.json()
    assert "@idempotent" in answer["errors"][0]["message"]


@pytest.mark.parametrize("query", ['name:"#100482"', "name:#100482"])
async def test_the_simulator_takes_quoted_and_bare_search_values(
    simulator: RunningSimulator, session: aiohttp.ClientSession, query: str
) -> None:
    document = "query O($q: String!) { orders(first: 2, query: $q) { nodes { name } } }"
    body = {"query": document, "variables": {"q": query}}
    headers = {"X-Shopify-Access-Token": "simulator"}
    async with session.post(simulator.endpoint, json=body, headers=headers) as response:
        answer = await response.json()
    assert answer["data"]["orders"]["nodes"] == [{"name": "#100482"}]


async def test_reconcile_finds_each_gesture_made_under_its_key_and_none_never_made(
    simulator: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    shopify = shop(simulator, session)
    order = await an_order(shopify)
    voucher = await shopify.issue_voucher("k-voucher", order, Money.of("10.00"))
    refund = await shopify.refund("k-refund", order, Money.of("4.95"))
    treat = await shopify.add_treat("k-treat", order, "a bar of chocolate")
    sku = order.lines[0].sku
    replacement = await shopify.create_replacement("k-repl", order, sku, keep_damaged=True)

    found = {
        kind: await shopify.find_gesture(key, order.number, kind)
        for key, kind in [
            ("k-voucher", "voucher"),
            ("k-refund", "shipping_refund"),
            ("k-treat", "treat"),
            ("k-repl", "replacement"),
        ]
    }
    assert found["voucher"] == voucher
    assert found["shipping_refund"] == refund
    assert found["treat"] == treat
    assert found["replacement"].replacement_order == replacement.replacement_order
    for kind in ("voucher", "shipping_refund", "treat", "replacement"):
        assert await shopify.find_gesture("never-made", order.number, kind) is None

"""The late laptop on a Shopify store: the real assistant, the Shopify adapter and the
Shopify simulator; the gift card is made exactly once although its first answer is lost."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import Ports, Stack, free_port
from herstel.model import ensure_model
from herstel.settings import ROOT, Settings
from shop.demo import DEFAULT_SEED
from shop.shopify.simulator import create_app
from shop.world import load_orders
from tests.e2e.conftest import Customer
from tests.support.threaded import BackgroundServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shopify() -> Iterator[str]:
    server = BackgroundServer(lambda: create_app([load_orders(DEFAULT_SEED)]), free_port()).start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="module")
def shopify_stack(tmp_path_factory: pytest.TempPathFactory, shopify: str) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("var-shopify")
    asyncio.run(prepare(Settings(var_dir=var_dir), SystemClock()))
    env = {
        "HERSTEL_SHOP": "shopify",
        "HERSTEL_SHOPIFY_API_URL": shopify,
        "HERSTEL_SHOPIFY_ACCESS_TOKEN": "simulator",
        "HERSTEL_SHOPIFY_TIMEOUT_SECONDS": "1",
        "HERSTEL_NPS_PERCENT": "0",
    }
    model = ensure_model(ROOT)
    with Stack(Ports.free(), var_dir=var_dir, model=model, extra_env=env) as running:
        yield running


def simulator(base_url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(f"{base_url}{path}", data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def test_the_late_laptop_gets_one_gift_card_though_the_first_answer_was_lost(
    shopify_stack: Stack, shopify: str
) -> None:
    customer = Customer(shopify_stack, f"test-{uuid.uuid4().hex[:12]}")
    customer.says("Hoi, mijn laptop zou voor 12 uur komen en hij is er nog steeds niet")
    customer.says("100482")
    answer = customer.says("3512 JE")
    assert "Ik heb het bij PostNL nagevraagd" in answer
    assert "tegoedbon van €10" in answer
    # Shopify makes the card, but its answer comes after the adapter stopped waiting.
    faults = {"timeout": 1, "delay": 2.5, "operation": "HerstelGiftCardCreate"}
    simulator(shopify, "/_simulator/faults", faults)
    done = customer.says("ja graag")
    code = re.search(r"je code is (\w{16})", done)
    assert code, done
    cards = simulator(shopify, "/_simulator/state")["gift_cards"]
    assert [(c["code"], c["amount"]) for c in cards] == [(code.group(1), "10.00")]
    assert "welk cijfer" in done
    # Another yes gives nothing new.
    assert code.group(1) not in customer.says("ja")
    assert len(simulator(shopify, "/_simulator/state")["gift_cards"]) == 1


def test_an_unknown_order_on_the_store_gets_the_same_answer_as_a_wrong_postcode(
    shopify_stack: Stack,
) -> None:
    customer = Customer(shopify_stack, f"test-{uuid.uuid4().hex[:12]}")
    customer.says("my parcel is late, order 999998")
    unknown = customer.says("3512 JE")
    other = Customer(shopify_stack, f"test-{uuid.uuid4().hex[:12]}")
    other.says("my parcel is late, order 100482")
    wrong_postcode = other.says("1011 AB")
    assert unknown == wrong_postcode

"""The demo world generator: reproducible from its seed, and every story a valid one."""

from __future__ import annotations

import pytest

from carriers.simulator.scenarios import Scenario
from demoworld.generate import FIRST_ORDER, generate
from shop.identity import find_order_number, find_postcode


def test_the_same_seed_gives_the_same_world_and_another_seed_another() -> None:
    assert generate(300, 80, seed=5) == generate(300, 80, seed=5)
    assert generate(300, 80, seed=5) != generate(300, 80, seed=6)


def test_every_customer_has_an_order_and_every_order_a_known_customer() -> None:
    world = generate(500, 120, seed=2)
    customers = {c["id"] for c in world["customers"]}
    assert len(customers) == 120
    assert {o["customer"] for o in world["orders"]} == customers
    assert len({c["email"] for c in world["customers"]}) == 120


def test_order_numbers_and_postcodes_are_what_customers_type() -> None:
    world = generate(400, 100, seed=3)
    numbers = [o["number"] for o in world["orders"]]
    assert len(set(numbers)) == 400 and min(numbers) == str(FIRST_ORDER)
    for order in world["orders"]:
        assert find_order_number(f"order {order['number']}") == order["number"]
        assert find_postcode(order["postcode"]) is not None


def test_every_parcel_story_is_one_the_carrier_simulator_plays() -> None:
    world = generate(2000, 400, seed=4)
    assert {o["tracking_number"] for o in world["orders"]} == set(world["shipments"])
    for shipment in world["shipments"].values():
        Scenario.model_validate(shipment)
    stories = [s["story"] for s in world["shipments"].values()]
    kinds = ("late", "on time", "delivered", "damaged", "lost", "pick-up point", "not yet")
    for kind in (*kinds, "failing carrier: rate limited", "server error", "slow"):
        assert any(kind in story for story in stories), kind


@pytest.mark.parametrize(("orders", "customers"), [(0, 1), (10, 0), (10, 11)])
def test_impossible_worlds_are_refused(orders: int, customers: int) -> None:
    with pytest.raises(ValueError):
        generate(orders, customers)

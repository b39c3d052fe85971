"""Generate a demo world from a seed: customers, their orders and the carrier's story for each
parcel (late, on time, delivered, damaged on arrival, lost, at a pick-up point, not yet at the
carrier, a failing carrier). The same seed always gives the same world; every time is relative
to "now", so the stories hold whenever the world is loaded."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

FIRST_ORDER = 200000  # README orders are 100xxx; order numbers have six digits
MAX_ORDERS = 999999 - FIRST_ORDER
FIRST_NAMES = [
    "anna",
    "bram",
    "daan",
    "emma",
    "fenna",
    "gijs",
    "hugo",
    "isa",
    "jasper",
    "julia",
    "lars",
    "lotte",
    "milan",
    "noor",
    "olivier",
    "sanne",
    "sem",
    "tess",
    "thijs",
    "zoe",
]
LAST_NAMES = [
    "bakker",
    "bos",
    "brouwer",
    "dekker",
    "dijkstra",
    "hendriks",
    "jansen",
    "janssen",
    "meijer",
    "mulder",
    "peters",
    "smit",
    "visser",
    "vos",
    "willems",
]
PRODUCTS = [
    ("LAP-14-PRO", "laptop", "899.00"),
    ("HP-NC700", "headphones", "129.00"),
    ("OIL-250", "shower oil", "14.50"),
    ("TOY-BEAR", "cuddly toy", "19.95"),
    ("MUG-SET", "mug set", "24.95"),
    ("CHAIR-ERGO", "desk chair", "349.00"),
    ("LAMP-DESK", "desk lamp", "39.95"),
    ("BOOK-COOK", "cookbook", "27.50"),
    ("VASE-GLASS", "glass vase", "44.00"),
    ("KETTLE-1L", "kettle", "59.99"),
]
PICKUP = {
    "name": "Bruna Centrum",
    "street": "Lange Elisabethstraat",
    "house_number": "2",
    "postcode": "3511 KN",
    "city": "Utrecht",
}
Story = Callable[[random.Random], dict[str, Any]]


def _late_out_for_delivery(rng: random.Random) -> dict[str, Any]:
    late = rng.randint(30, 180)
    return {
        "story": "late: out for delivery after the promised time",
        "placed": "-1d",
        "promised_by": f"-{late}m",
        "expected_window": {"from": "+30m", "to": "+90m"},
        "events": [
            ("-1d2h", "announced"),
            ("-20h", "received"),
            ("-14h", "sorted"),
            ("-3h", "out_for_delivery"),
        ],
    }


def _late_delayed(rng: random.Random) -> dict[str, Any]:
    days = rng.randint(1, 3)
    return {
        "story": f"late: delayed in transit, {days} day(s) behind the promise",
        "placed": f"-{days + 2}d",
        "promised_by": f"-{days}d",
        "expected_window": {"from": "+20h", "to": "+26h"},
        "events": [
            (f"-{days + 2}d", "announced"),
            (f"-{days + 1}d", "received"),
            ("-1d", "in_transit"),
            ("-6h", "delayed"),
        ],
    }


def _on_time(rng: random.Random) -> dict[str, Any]:
    return {
        "story": "out for delivery today, on time",
        "placed": "-1d",
        "promised_by": f"+{rng.randint(3, 6)}h",
        "expected_window": {"from": "+1h", "to": "+3h"},
        "events": [("-1d", "announced"), ("-18h", "received"), ("-2h", "out_for_delivery")],
    }


def _delivered(rng: random.Random, story: str = "delivered on time") -> dict[str, Any]:
    hours = rng.randint(2, 40)
    return {
        "story": story,
        "placed": "-3d",
        "promised_by": f"-{hours}h",
        "events": [
            ("-3d", "announced"),
            ("-2d", "received"),
            (f"-{hours + 5}h", "out_for_delivery"),
            (f"-{hours}h", "delivered"),
        ],
    }


def _damaged(rng: random.Random) -> dict[str, Any]:
    return _delivered(rng, "damaged: delivered, the customer finds it broken")


def _lost(rng: random.Random) -> dict[str, Any]:
    return {
        "story": "lost in transit",
        "placed": "-6d",
        "promised_by": "-3d",
        "events": [
            ("-6d", "announced"),
            ("-5d", "received"),
            ("-4d", "in_transit"),
            ("-1d", "lost"),
        ],
    }


def _pickup_point(rng: random.Random) -> dict[str, Any]:
    return {
        "story": "waiting at a pick-up point",
        "placed": "-2d",
        "promised_by": "-1d",
        "pickup_point": PICKUP,
        "events": [("-2d", "announced"), ("-1d", "attempt_failed"), ("-20h", "at_pickup_point")],
    }


def _not_yet(rng: random.Random) -> dict[str, Any]:
    return {
        "story": "shipped, not yet at the carrier",
        "placed": "-3h",
        "promised_by": "+2d",
        "behaviour": "not_found",
    }


def _failing(behaviour: str) -> Story:
    def story(rng: random.Random) -> dict[str, Any]:
        spec = _late_out_for_delivery(rng)
        spec.update(story=f"failing carrier: {behaviour.replace('_', ' ')}", behaviour=behaviour)
        if behaviour == "slow":
            spec["delay_seconds"] = 10
        return spec

    return story


STORIES: list[tuple[Story, int]] = [
    (_late_out_for_delivery, 20),
    (_late_delayed, 12),
    (_on_time, 15),
    (_delivered, 15),
    (_damaged, 12),
    (_lost, 4),
    (_pickup_point, 8),
    (_not_yet, 5),
    (_failing("rate_limited"), 3),
    (_failing("server_error"), 3),
    (_failing("slow"), 3),
]


def generate(orders: int, customers: int, seed: int = 1) -> dict[str, Any]:
    """A world of `orders` orders among `customers` customers, the same for the same seed."""
    if not 1 <= orders <= MAX_ORDERS:
        raise ValueError(f"--orders must be between 1 and {MAX_ORDERS}")
    if not 1 <= customers <= orders:
        raise ValueError("--customers must be between 1 and the number of orders")
    rng = random.Random(seed)
    people = [_customer(rng, i) for i in range(customers)]
    stories, weights = zip(*STORIES, strict=True)
    world: dict[str, Any] = {"seed": seed, "customers": [], "orders": [], "shipments": {}}
    for i in range(orders):
        person = people[i] if i < customers else rng.choice(people)  # everyone has an order
        number = str(FIRST_ORDER + i)
        carrier = "postnl" if rng.random() < 0.6 else "dhl"
        tracking = f"3SDEMO{number}" if carrier == "postnl" else f"JVGL0570{number}"
        story = rng.choices(stories, weights)[0](rng)
        world["orders"].append(_order(rng, number, person, carrier, tracking, story))
        world["shipments"][tracking] = _shipment(carrier, story)
    world["customers"] = [{k: p[k] for k in ("id", "email", "segment")} for p in people]
    return world


def _customer(rng: random.Random, i: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    segment = rng.choices(["new", "regular", "vip"], [30, 60, 10])[0]
    letters = "".join(rng.choices("ABCDEGHJKLMNPRTVWXZ", k=2))
    return {
        "id": f"cus_d{i:06d}",
        "email": f"{first}.{last}.{i}@example.nl",
        "segment": segment,
        "postcode": f"{rng.randint(1000, 9999)} {letters}",
    }


def _order(
    rng: random.Random,
    number: str,
    person: dict[str, Any],
    carrier: str,
    tracking: str,
    story: dict[str, Any],
) -> dict[str, Any]:
    items = rng.sample(PRODUCTS, k=rng.choices([1, 2, 3], [70, 22, 8])[0])
    return {
        "number": number,
        "story": story["story"],
        "customer": person["id"],
        "postcode": person["postcode"],
        "placed": story["placed"],
        "promised_by": story["promised_by"],
        "carrier": carrier,
        "tracking_number": tracking,
        "shipping_cost": rng.choice(["0.00", "4.95", "6.95"]),
        "lines": [
            {"sku": sku, "name": name, "quantity": 1, "unit_price": price}
            for sku, name, price in items
        ],
    }


def _shipment(carrier: str, story: dict[str, Any]) -> dict[str, Any]:
    shipment: dict[str, Any] = {"carrier": carrier, "story": story["story"]}
    for key in ("behaviour", "expected_window", "pickup_point", "delay_seconds"):
        if key in story:
            shipment[key] = story[key]
    shipment["promised_by"] = story["promised_by"]
    shipment["events"] = [{"at": at, "state": state} for at, state in story.get("events", [])]
    return shipment

"""Shared fixtures for the mandate engine tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from policies import Mandate, load_default, load_mandate_data

NOW = datetime(2025, 3, 4, 11, 30, tzinfo=UTC)

BASE_POLICY: dict[str, Any] = {
    "name": "test",
    "currency": "EUR",
    "shipping_fee": "4.95",
    "levels": {
        "bot": {
            "per_gesture": {"voucher": 15, "replacement": 150, "full_refund": 50},
            "per_order": 175,
            "per_customer": 200,
        },
        "agent": {
            "per_gesture": {"voucher": 50, "replacement": 1000, "full_refund": 1000},
            "per_order": 1250,
            "per_customer": 2000,
        },
    },
    "rules": [
        {
            "id": "late",
            "match": {"complaint": "late_delivery"},
            "ladder": [
                {"kind": "apology"},
                {"kind": "voucher", "amount": 10, "level": "bot", "unasked": True},
            ],
        }
    ],
}


@pytest.fixture(scope="session")
def default() -> Mandate:
    return load_default()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def make_policy() -> Callable[..., Mandate]:
    """A small policy; keyword arguments replace top-level keys of BASE_POLICY."""

    def make(**changes: Any) -> Mandate:
        data = copy.deepcopy(BASE_POLICY)
        data.update(copy.deepcopy(changes))
        return load_mandate_data(data)

    return make

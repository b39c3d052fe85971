"""build_carrier: the adapter by name, wrapped in a circuit breaker and a cache."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from carriers.dhl import DHLCarrier
from carriers.factory import build_carrier
from carriers.postnl import PostNLCarrier
from carriers.resilience import CachedCarrier, CircuitBreakerCarrier
from herstel.clock import FrozenClock

CLOCK = FrozenClock(datetime(2025, 3, 14, 9, 30, tzinfo=UTC))


@pytest.mark.parametrize(("name", "adapter"), [("postnl", PostNLCarrier), ("dhl", DHLCarrier)])
async def test_each_carrier_is_its_adapter_behind_a_breaker_behind_a_cache(
    name: str, adapter: type
) -> None:
    async with aiohttp.ClientSession() as session:
        carrier = build_carrier(
            name, session, base_url="http://127.0.0.1:8090", api_key="k", clock=CLOCK
        )

    assert carrier.name == name
    assert isinstance(carrier, CachedCarrier)
    assert isinstance(carrier.inner, CircuitBreakerCarrier)
    assert isinstance(carrier.inner.inner, adapter)


async def test_an_unknown_carrier_name_is_refused_naming_the_known_ones() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ValueError, match=r"'ups'.*dhl, postnl"):
            build_carrier("ups", session, base_url="http://x", api_key="k", clock=CLOCK)

"""Builds a ready-to-use Carrier by name: adapter, circuit breaker, cache."""

from __future__ import annotations

import aiohttp

from carriers.dhl import DHLCarrier
from carriers.model import Carrier
from carriers.postnl import PostNLCarrier
from carriers.resilience import CachedCarrier, CircuitBreakerCarrier
from herstel.clock import Clock

ADAPTERS: dict[str, type[PostNLCarrier] | type[DHLCarrier]] = {
    "postnl": PostNLCarrier,
    "dhl": DHLCarrier,
}


def build_carrier(
    name: str,
    session: aiohttp.ClientSession,
    *,
    base_url: str,
    api_key: str,
    clock: Clock,
    timeout: float = 5.0,
    cache_seconds: float = 60.0,
) -> Carrier:
    """The cache sits outside the breaker, so cached answers never touch a struggling carrier."""
    adapter = ADAPTERS.get(name.strip().lower())
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise ValueError(f"unknown carrier {name!r}; known carriers: {known}")
    inner = adapter(session, base_url=base_url, api_key=api_key, timeout=timeout)
    breaker = CircuitBreakerCarrier(inner, clock=clock)
    return CachedCarrier(breaker, ttl_seconds=cache_seconds, clock=clock)

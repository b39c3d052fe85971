"""Services for the action server, built once inside its event loop on first use."""

from __future__ import annotations

import asyncio

from herstel.bootstrap import Services, bootstrap

_services: Services | None = None
_lock: asyncio.Lock | None = None


async def get_services() -> Services:
    global _services, _lock
    if _services is None:
        _lock = _lock or asyncio.Lock()
        async with _lock:
            if _services is None:
                _services = await bootstrap()
    return _services


def use_services(services: Services | None) -> None:
    """Hand in ready services (tests); None forgets them."""
    global _services
    _services = services

"""Racing ledger calls: all at once, then which were granted and how many refused."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from journeys.errors import Refused
from journeys.records import Reservation


async def race(calls: list[Awaitable[Reservation]]) -> tuple[list[Reservation], int]:
    """Run all calls at once; a refusal (a limit said no) is expected, anything else fails."""
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    unexpected = [o for o in errors if not isinstance(o, Refused)]
    assert not unexpected, unexpected
    granted = [o for o in outcomes if isinstance(o, Reservation)]
    return granted, len(outcomes) - len(granted)

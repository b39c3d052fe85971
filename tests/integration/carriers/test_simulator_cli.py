"""`python -m carriers.simulator` starts, says where it listens, serves, and stops cleanly."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest

pytestmark = pytest.mark.integration

FROZEN = datetime(2025, 3, 14, 10, 30, tzinfo=timezone(timedelta(hours=1)))


async def test_the_simulator_command_announces_its_address_and_serves_until_terminated() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "carriers.simulator", "--host", "127.0.0.1", "--port", "0",
        "--now", FROZEN.isoformat(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
        match = re.fullmatch(r"carrier simulator listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        async with (
            aiohttp.ClientSession() as session,
            session.get(match.group(1) + "/_simulator/clock") as resp,
        ):
            assert resp.status == 200
            assert datetime.fromisoformat((await resp.json())["now"]) == FROZEN
    finally:
        process.terminate()
        code = await asyncio.wait_for(process.wait(), timeout=10)
    assert code == 0

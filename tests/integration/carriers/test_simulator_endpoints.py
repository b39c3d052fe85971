"""The simulator's HTTP surface as raw HTTP: shapes, keys, the clock, health."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

pytestmark = pytest.mark.integration

POSTNL = "/shipment/v2/status/barcode/{}"
DHL = "/track/shipments"


async def _get(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None, **params: str
) -> tuple[int, dict[str, str], Any]:
    async with session.get(url, headers=headers or {}, params=params) as resp:
        return resp.status, dict(resp.headers), await resp.json(content_type=None)


async def test_postnl_without_detail_gives_current_status_without_events(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    url = simulator.base_url + POSTNL.format("3SHRST100482")
    status, _, body = await _get(session, url, {"apikey": "x"})

    assert status == 200
    shipment = body["CurrentStatus"]["Shipment"]
    assert shipment["Status"]["StatusCode"] == "7"
    assert "Event" not in shipment and "OldStatus" not in shipment


async def test_postnl_with_detail_gives_complete_status_with_events_newest_first(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    url = simulator.base_url + POSTNL.format("3SHRST100482")
    _, _, body = await _get(session, url, {"apikey": "x"}, detail="true")

    events = body["CompleteStatus"]["Shipment"]["Event"]
    assert [event["Code"] for event in events] == ["J05", "J01", "B01", "A01"]
    assert events[0]["TimeStamp"] == "14-03-2025 07:30:00"  # 3 hours before 10:30


async def test_postnl_without_api_key_is_401(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    status, _, body = await _get(session, simulator.base_url + POSTNL.format("3SHRST100482"))

    assert status == 401
    assert body["fault"]["faultstring"] == "Invalid ApiKey"


async def test_dhl_without_api_key_is_401_problem_json(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    status, headers, body = await _get(
        session, simulator.base_url + DHL, trackingNumber="JVGL0560100311"
    )

    assert status == 401
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["status"] == 401 and body["title"]


async def test_dhl_unknown_number_is_the_404_problem_from_the_spec(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    status, _, body = await _get(
        session, simulator.base_url + DHL, {"DHL-API-Key": "x"}, trackingNumber="JVGL0000000000"
    )

    assert status == 404
    assert body["title"] == "No result found"
    assert body["detail"] == "No shipment with given tracking number found."


async def test_rate_limited_scenario_answers_429_with_retry_after_one_second(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    status, headers, _ = await _get(
        session, simulator.base_url + DHL, {"DHL-API-Key": "x"}, trackingNumber="JVGL0560100308"
    )

    assert (status, headers["Retry-After"]) == (429, "1")


async def test_health_answers_200(simulator: Any, session: aiohttp.ClientSession) -> None:
    status, _, body = await _get(session, simulator.base_url + "/_simulator/health")

    assert status == 200 and body["status"] == "ok" and body["scenarios"] == 15


async def test_posting_advance_seconds_moves_the_clock(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    before = simulator.clock.now()
    url = simulator.base_url + "/_simulator/clock"
    async with session.post(url, json={"advance_seconds": 5400}) as resp:
        body = await resp.json()

    assert datetime.fromisoformat(body["now"]) == before + timedelta(minutes=90)


async def test_posting_now_sets_the_clock_and_every_time_follows(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    clock_url = simulator.base_url + "/_simulator/clock"
    async with session.post(clock_url, json={"now": "2025-07-01T12:00:00+02:00"}) as resp:
        assert resp.status == 200

    url = simulator.base_url + POSTNL.format("3SHRST100517")
    _, _, body = await _get(session, url, {"apikey": "x"})
    stamp = body["CurrentStatus"]["Shipment"]["Status"]["TimeStamp"]
    assert stamp == "30-06-2025 16:00:00"  # delivered 20 hours before the new now


@pytest.mark.parametrize(
    "payload", [{"now": "2025-07-01T12:00:00"}, {"now": "noon"}, {"later": 5}, [1, 2]]
)
async def test_a_bad_clock_request_is_400_and_leaves_the_clock_alone(
    simulator: Any, session: aiohttp.ClientSession, payload: Any
) -> None:
    before = simulator.clock.now()
    async with session.post(simulator.base_url + "/_simulator/clock", json=payload) as resp:
        assert resp.status == 400

    async with session.get(simulator.base_url + "/_simulator/clock") as resp:
        assert datetime.fromisoformat((await resp.json())["now"]) == before


async def test_the_scenario_list_names_each_tracking_number_and_carrier(
    simulator: Any, session: aiohttp.ClientSession
) -> None:
    _, _, body = await _get(session, simulator.base_url + "/_simulator/scenarios")
    rows = {row["tracking_number"]: row["carrier"] for row in body["scenarios"]}

    assert rows["3SHRST100482"] == "postnl" and rows["JVGL0560100308"] == "dhl"

"""CarrierHttp: retries, backoff, Retry-After, and the error each failure becomes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Any, cast

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carriers.errors import (
    CarrierAuthError,
    CarrierRateLimited,
    CarrierResponseError,
    CarrierUnavailable,
    ShipmentNotFound,
)
from carriers.http import CarrierHttp, HttpStatusError, RetryPolicy


class Reply:
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status = status
        self.headers = headers or {}
        self._body = body if isinstance(body, bytes) else json.dumps(body).encode()

    async def read(self) -> bytes:
        return self._body


class ScriptedSession:
    """Stands in for aiohttp.ClientSession: plays replies (or raises exceptions) in order."""

    def __init__(self, *script: Reply | BaseException) -> None:
        self._script: Iterator[Reply | BaseException] = iter(script)
        self.requests: list[dict[str, Any]] = []

    @asynccontextmanager
    async def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        self.requests.append({"url": url, **kwargs})
        step = next(self._script)
        if isinstance(step, BaseException):
            raise step
        yield step


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(session: ScriptedSession, sleeps: Sleeps, **policy: Any) -> CarrierHttp:
    return CarrierHttp(
        cast(aiohttp.ClientSession, session),
        carrier="postnl",
        timeout=2.5,
        retry=RetryPolicy(**policy),
        sleep=sleeps,
        rand=lambda: 0.5,
    )


async def _get(client: CarrierHttp) -> Any:
    return await client.get_json("http://carrier.test/x", headers={"apikey": "k"})


async def test_a_500_is_retried_and_the_next_answer_returned() -> None:
    session, sleeps = ScriptedSession(Reply(500, {}), Reply(200, {"ok": 1})), Sleeps()

    assert await _get(_client(session, sleeps)) == {"ok": 1}
    assert len(session.requests) == 2
    assert len(sleeps) == 1


async def test_5xx_on_every_attempt_becomes_carrier_unavailable_with_the_cause() -> None:
    session, sleeps = ScriptedSession(*[Reply(503, {"title": "down"})] * 3), Sleeps()

    with pytest.raises(CarrierUnavailable) as raised:
        await _get(_client(session, sleeps))
    assert not isinstance(raised.value, CarrierRateLimited)
    assert len(session.requests) == 3 and len(sleeps) == 2
    cause = raised.value.__cause__
    assert isinstance(cause, HttpStatusError) and cause.status == 503


async def test_backoff_grows_exponentially_between_attempts() -> None:
    session, sleeps = ScriptedSession(*[Reply(502, {})] * 4), Sleeps()

    with pytest.raises(CarrierUnavailable):
        await _get(_client(session, sleeps, max_attempts=4, jitter=0.0))
    assert sleeps == [0.25, 0.5, 1.0]


async def test_max_attempts_is_configurable() -> None:
    session, sleeps = ScriptedSession(*[Reply(500, {})] * 5), Sleeps()

    with pytest.raises(CarrierUnavailable):
        await _get(_client(session, sleeps, max_attempts=5))
    assert len(session.requests) == 5


async def test_retry_after_seconds_on_a_429_are_honoured() -> None:
    limited = Reply(429, {"title": "Too many requests"}, {"Retry-After": "2"})
    session, sleeps = ScriptedSession(limited, Reply(200, {"ok": 1})), Sleeps()

    assert await _get(_client(session, sleeps)) == {"ok": 1}
    assert sleeps[0] >= 2.0


async def test_429_on_every_attempt_becomes_rate_limited_with_retry_after() -> None:
    limited = Reply(429, {"title": "Too many requests"}, {"Retry-After": "1"})
    session, sleeps = ScriptedSession(*[limited] * 3), Sleeps()

    with pytest.raises(CarrierRateLimited) as raised:
        await _get(_client(session, sleeps))
    assert raised.value.retry_after == 1.0
    assert len(session.requests) == 3
    assert all(seconds >= 1.0 for seconds in sleeps)


async def test_a_retry_after_longer_than_the_limit_is_not_waited_for() -> None:
    limited = Reply(429, {}, {"Retry-After": "3600"})
    session, sleeps = ScriptedSession(limited), Sleeps()

    with pytest.raises(CarrierRateLimited) as raised:
        await _get(_client(session, sleeps))
    assert raised.value.retry_after == 3600.0
    assert sleeps == [] and len(session.requests) == 1


async def test_timeouts_are_retried_then_become_carrier_unavailable() -> None:
    session, sleeps = ScriptedSession(TimeoutError(), TimeoutError(), TimeoutError()), Sleeps()

    with pytest.raises(CarrierUnavailable, match=r"no answer within 2\.5s") as raised:
        await _get(_client(session, sleeps))
    assert isinstance(raised.value.__cause__, TimeoutError)
    assert len(sleeps) == 2


class HangingSession(ScriptedSession):
    """A carrier that accepts the connection and never answers, within each attempt's timeout."""

    def __init__(self, attempt_seconds: float) -> None:
        super().__init__()
        self._attempt = attempt_seconds

    @asynccontextmanager
    async def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        self.requests.append({"url": url, **kwargs})
        await asyncio.sleep(self._attempt)
        raise TimeoutError
        yield  # pragma: no cover


async def test_the_whole_lookup_ends_at_its_deadline_however_many_attempts_remain() -> None:
    session = HangingSession(attempt_seconds=0.15)
    client = CarrierHttp(
        cast(aiohttp.ClientSession, session),
        carrier="postnl",
        timeout=0.15,
        retry=RetryPolicy(max_attempts=10, base_delay=0.01, deadline=0.4),
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(CarrierUnavailable, match=r"no answer within 0\.4s"):
        await _get(client)
    assert loop.time() - started < 0.6
    assert 2 <= len(session.requests) < 10


@pytest.mark.parametrize("value", ["soon", "inf", "nan", "Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_an_unusable_retry_after_falls_back_to_backoff(value: str) -> None:
    limited = Reply(429, {}, {"Retry-After": value})
    session, sleeps = ScriptedSession(limited, Reply(200, {})), Sleeps()

    await _get(_client(session, sleeps, jitter=0.0))
    assert sleeps == [0.25]


async def test_a_connection_error_is_retried() -> None:
    refused = aiohttp.ClientConnectionError("connection refused")
    session, sleeps = ScriptedSession(refused, Reply(200, {"ok": 1})), Sleeps()

    assert await _get(_client(session, sleeps)) == {"ok": 1}


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_api_key_is_an_auth_error_without_retrying(status: int) -> None:
    fault = {"fault": {"faultstring": "Invalid ApiKey"}}
    session, sleeps = ScriptedSession(Reply(status, fault)), Sleeps()

    with pytest.raises(CarrierAuthError, match="Invalid ApiKey") as raised:
        await _get(_client(session, sleeps))
    assert isinstance(raised.value.__cause__, HttpStatusError)
    assert len(session.requests) == 1 and sleeps == []


async def test_a_404_problem_is_shipment_not_found_with_its_detail() -> None:
    problem = {
        "title": "No result found",
        "detail": "No shipment with given tracking number found.",
    }
    session = ScriptedSession(Reply(404, problem))

    with pytest.raises(ShipmentNotFound, match="No shipment with given tracking number"):
        await _get(_client(session, Sleeps()))


async def test_another_4xx_is_a_response_error_without_retrying() -> None:
    session = ScriptedSession(Reply(400, {"title": "Bad request"}))

    with pytest.raises(CarrierResponseError, match="400"):
        await _get(_client(session, Sleeps()))
    assert len(session.requests) == 1


async def test_a_body_that_is_not_json_is_a_response_error() -> None:
    session = ScriptedSession(Reply(200, b"<html>maintenance</html>"))

    with pytest.raises(CarrierResponseError) as raised:
        await _get(_client(session, Sleeps()))
    assert isinstance(raised.value.__cause__, ValueError)


async def test_every_attempt_carries_the_configured_timeout_and_headers() -> None:
    session = ScriptedSession(Reply(500, {}), Reply(200, {}))

    await _get(_client(session, Sleeps()))
    assert [r["timeout"].total for r in session.requests] == [2.5, 2.5]
    assert all(r["headers"] == {"apikey": "k"} for r in session.requests)


@given(
    attempt=st.integers(min_value=1, max_value=12),
    rand=st.floats(min_value=0.0, max_value=1.0),
    retry_after=st.none() | st.floats(min_value=0.0, max_value=10.0),
)
def test_backoff_stays_within_its_bounds_and_never_undercuts_retry_after(
    attempt: int, rand: float, retry_after: float | None
) -> None:
    policy = RetryPolicy()
    delay = policy.delay(attempt, retry_after, rand)
    floor = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))

    assert floor <= delay
    assert delay <= max(policy.max_delay * (1 + policy.jitter), retry_after or 0.0)
    if retry_after is not None:
        assert delay >= retry_after

"""One JSON GET for every carrier adapter: timeouts, retries with backoff, typed errors."""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from carriers.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierRateLimited,
    CarrierResponseError,
    CarrierUnavailable,
    ShipmentNotFound,
)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 4.0
    jitter: float = 0.25  # up to this fraction added at random, so clients do not retry in step
    max_retry_after: float = 10.0  # a longer Retry-After is not worth keeping a customer waiting
    # The whole lookup, every attempt and wait included: a customer is waiting for the answer
    # (a carrier that keeps timing out would otherwise take attempts x timeout).
    deadline: float = 8.0

    def delay(self, attempt: int, retry_after: float | None, rand: float) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        backoff *= 1 + self.jitter * rand
        return backoff if retry_after is None else max(retry_after, backoff)


class HttpStatusError(Exception):
    """A non-success answer; kept as the cause of the carrier error it turns into."""

    def __init__(self, carrier: str, status: int, detail: str, retry_after: float | None) -> None:
        super().__init__(f"{carrier} answered HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


class CarrierHttp:
    """GETs JSON from one carrier and speaks only in carriers.errors types."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        carrier: str,
        timeout: float,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._session = session
        self._carrier = carrier
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rand = rand

    async def get_json(
        self, url: str, *, headers: Mapping[str, str], params: Mapping[str, str] | None = None
    ) -> Any:
        try:
            async with asyncio.timeout(self._retry.deadline) as budget:
                return await self._with_retries(url, headers, params)
        except TimeoutError as exc:
            if not budget.expired():
                raise
            message = f"{self._carrier} gave no answer within {self._retry.deadline:g}s"
            raise CarrierUnavailable(message) from exc

    async def _with_retries(
        self, url: str, headers: Mapping[str, str], params: Mapping[str, str] | None
    ) -> Any:
        attempt = 1
        while True:
            try:
                return await self._once(url, headers, params)
            except HttpStatusError as exc:
                if not exc.retryable:
                    raise self._final(exc) from exc
                if attempt >= self._retry.max_attempts or self._wait_too_long(exc):
                    raise self._give_up(exc, attempt) from exc
                await self._sleep(self._retry.delay(attempt, exc.retry_after, self._rand()))
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt >= self._retry.max_attempts:
                    raise self._give_up(exc, attempt) from exc
                await self._sleep(self._retry.delay(attempt, None, self._rand()))
            attempt += 1

    async def _once(
        self, url: str, headers: Mapping[str, str], params: Mapping[str, str] | None
    ) -> Any:
        async with self._session.get(
            url, headers=headers, params=params, timeout=self._timeout
        ) as resp:
            body = await resp.read()
            if not 200 <= resp.status < 300:
                retry_after = _seconds(resp.headers.get("Retry-After"))
                raise HttpStatusError(self._carrier, resp.status, _detail(body), retry_after)
        try:
            # Not resp.json(): it insists on application/json, and carriers vary.
            return json.loads(body)
        except ValueError as exc:
            raise CarrierResponseError(f"{self._carrier} sent a body that is not JSON") from exc

    def _wait_too_long(self, exc: HttpStatusError) -> bool:
        return exc.retry_after is not None and exc.retry_after > self._retry.max_retry_after

    def _final(self, exc: HttpStatusError) -> CarrierError:
        if exc.status in (401, 403):
            return CarrierAuthError(f"{self._carrier} refused the API key: {exc.detail}")
        if exc.status == 404:
            return ShipmentNotFound(f"{self._carrier}: {exc.detail}")
        return CarrierResponseError(str(exc))

    def _give_up(self, exc: Exception, attempts: int) -> CarrierUnavailable:
        if isinstance(exc, HttpStatusError) and exc.status == 429:
            message = f"{self._carrier} rate limit reached after {attempts} attempt(s)"
            return CarrierRateLimited(message, retry_after=exc.retry_after)
        if isinstance(exc, TimeoutError):  # a bare TimeoutError has no message
            reason = f"no answer within {self._timeout.total}s"
        else:
            reason = str(exc) or type(exc).__name__
        message = f"{self._carrier} unavailable after {attempts} attempt(s): {reason}"
        return CarrierUnavailable(message)


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare enough to ignore."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _detail(body: bytes) -> str:
    """A short human reason from problem+json, an API gateway fault, or plain text."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip() or "(empty body)"
    if isinstance(data, dict):
        fault = data.get("fault")
        if isinstance(fault, dict) and fault.get("faultstring"):
            return str(fault["faultstring"])
        for key in ("detail", "title", "message"):
            if data.get(key):
                return str(data[key])
    return json.dumps(data)[:200]

"""One Shopify Admin GraphQL client: one _request(), errors mapped, cost-based throttling obeyed.

Shopify limits by calculated query cost (a leaky bucket per app and store). A throttled call
answers with an error whose code is THROTTLED and the bucket's state in
`extensions.cost.throttleStatus`; it was not executed, so it is always safe to send again once
enough cost has been restored. Logs carry the operation name and status, never variables.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from shop.errors import IdempotencyConflict, ShopError, ShopRefused, ShopUnavailable

log = logging.getLogger(__name__)

MAX_BODY = 2 * 1024 * 1024  # no answer of ours comes near this; a bigger one is not Shopify
RETRYABLE_CODES = {"INTERNAL_SERVER_ERROR", "IDEMPOTENCY_CONCURRENT_REQUEST"}
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Throttled:
    """Shopify did not run the call: wait `seconds` for the bucket to refill."""

    seconds: float


class ShopifyClient:
    """Sends GraphQL documents to one store's Admin API endpoint."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoint: str,
        access_token: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        throttle_patience: float = 6.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._session = session
        self._endpoint = endpoint
        self._headers = {"X-Shopify-Access-Token": access_token, "Accept": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._attempts = attempts
        self._patience = throttle_patience
        self._sleep = sleep

    async def execute(
        self,
        operation: str,
        document: str,
        variables: Mapping[str, Any],
        *,
        repeatable: bool = True,
    ) -> dict[str, Any]:
        """The `data` of one operation. A call that is not `repeatable` (a write Shopify cannot
        deduplicate) is sent once; throttled calls are sent again in either case, since Shopify
        did not run them."""
        body = {"query": document, "variables": dict(variables), "operationName": operation}
        attempts = self._attempts if repeatable else 1
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._request(operation, body)
            except ShopUnavailable:
                if attempt >= attempts:
                    raise
                await self._sleep(0.2 * 2 ** (attempt - 1))
                continue
            if isinstance(answer, Throttled):
                attempt -= 1  # not run: it does not count as an attempt
                if waited + answer.seconds > self._patience:
                    raise ShopUnavailable(f"{operation}: still throttled after {waited:.1f}s")
                waited += answer.seconds
                log.info("shopify %s throttled; waiting %.2fs", operation, answer.seconds)
                await self._sleep(answer.seconds)
                continue
            return answer

    async def _request(self, operation: str, body: dict[str, Any]) -> dict[str, Any] | Throttled:
        """One HTTP exchange: the data, or Throttled; transport and server trouble as errors."""
        try:
            async with self._session.post(
                self._endpoint, json=body, headers=self._headers, timeout=self._timeout
            ) as response:
                raw = await response.content.read(MAX_BODY + 1)
                status, retry_after = response.status, response.headers.get("Retry-After")
        except TimeoutError as exc:
            raise ShopUnavailable(f"{operation}: no answer in time") from exc
        except aiohttp.ClientError as exc:
            raise ShopUnavailable(f"{operation}: {type(exc).__name__}") from exc
        if status == 429:
            return Throttled(_seconds(retry_after, default=1.0))
        if status >= 500:
            raise ShopUnavailable(f"{operation}: HTTP {status}")
        if status in (401, 403):
            raise ShopRefused(f"{operation}: HTTP {status}, check the access token and its scopes")
        if status != 200:
            raise ShopRefused(f"{operation}: HTTP {status}")
        if len(raw) > MAX_BODY:
            raise ShopUnavailable(f"{operation}: answer too large")
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise ShopUnavailable(f"{operation}: answer is not JSON") from exc
        return _data(operation, payload)


def _data(operation: str, payload: Any) -> dict[str, Any] | Throttled:
    if not isinstance(payload, dict):
        raise ShopUnavailable(f"{operation}: answer is not a GraphQL response")
    errors = [e for e in payload.get("errors") or [] if isinstance(e, dict)]
    codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors}
    if "THROTTLED" in codes:
        return Throttled(throttle_wait(payload.get("extensions")))
    if errors:
        messages = "; ".join(str(e.get("message", "")) for e in errors)
        if codes & RETRYABLE_CODES:
            raise ShopUnavailable(f"{operation}: {messages}")
        if "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" in codes:
            raise IdempotencyConflict(f"{operation}: {messages}")
        if "ACCESS_DENIED" in codes:
            raise ShopRefused(f"{operation}: access denied ({messages}); check the app's scopes")
        raise ShopError(f"{operation}: {messages}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise ShopUnavailable(f"{operation}: answer has no data")
    return data


def throttle_wait(extensions: Any) -> float:
    """Seconds until the bucket holds the requested cost again, from extensions.cost."""
    try:
        cost = extensions["cost"]
        status = cost["throttleStatus"]
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.05, missing / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1.0


def _seconds(header: str | None, *, default: float) -> float:
    try:
        return max(0.05, float(header)) if header else default
    except ValueError:
        return default

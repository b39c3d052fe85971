"""The GraphQL client: throttling obeyed, failures mapped to the shop's errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest

from shop.errors import IdempotencyConflict, ShopError, ShopRefused, ShopUnavailable
from shop.shopify.client import ShopifyClient, throttle_wait

OK = {"data": {"orders": {"nodes": []}}}


def throttled(requested: float, available: float, restore: float = 100.0) -> dict[str, Any]:
    return {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": available,
                    "restoreRate": restore,
                },
            }
        },
    }


class Reply:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.content = self
        self._raw = raw

    async def read(self, _limit: int) -> bytes:
        return self._raw

    async def __aenter__(self) -> Reply:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class FakeSession:
    """Plays replies (or raises errors) in order and keeps what was posted."""

    def __init__(self, *replies: Reply | BaseException) -> None:
        self.replies = list(replies)
        self.posts: list[dict[str, Any]] = []

    def post(self, url: str, **kwargs: Any) -> Reply:
        self.posts.append({"url": url, **kwargs})
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(session: FakeSession, sleeps: Sleeps, **options: Any) -> ShopifyClient:
    return ShopifyClient(
        session,  # type: ignore[arg-type]
        "https://shop.example/admin/api/2026-10/graphql.json",
        "shpat_secret",
        sleep=sleeps,
        **options,
    )


async def test_sends_the_document_with_the_access_token_and_returns_data() -> None:
    session, sleeps = FakeSession(Reply(200, OK)), Sleeps()
    data = await client(session, sleeps).execute("HerstelOrders", "query {}", {"first": 1})
    assert data == OK["data"]
    post = session.posts[0]
    assert post["headers"]["X-Shopify-Access-Token"] == "shpat_secret"
    assert post["json"] == {
        "query": "query {}",
        "variables": {"first": 1},
        "operationName": "HerstelOrders",
    }


async def test_a_throttled_call_waits_until_the_bucket_holds_its_cost() -> None:
    session, sleeps = FakeSession(Reply(200, throttled(120, 20, 50)), Reply(200, OK)), Sleeps()
    assert await client(session, sleeps).execute("HerstelOrders", "q", {}) == OK["data"]
    assert sleeps == [pytest.approx(2.0)]  # (120 - 20) / 50
    assert len(session.posts) == 2


async def test_throttled_calls_do_not_use_up_the_attempts_even_for_a_single_shot_write() -> None:
    replies = [Reply(200, throttled(10, 0)) for _ in range(3)] + [Reply(200, OK)]
    session, sleeps = FakeSession(*replies), Sleeps()
    await client(session, sleeps).execute("HerstelDraftOrderCreate", "m", {}, repeatable=False)
    assert len(sleeps) == 3 and len(session.posts) == 4


async def test_still_throttled_past_its_patience_the_shop_is_unavailable() -> None:
    replies = [Reply(200, throttled(1000, 0, 100)) for _ in range(2)]
    session, sleeps = FakeSession(*replies), Sleeps()
    with pytest.raises(ShopUnavailable, match="throttled"):
        await client(session, sleeps, throttle_patience=15).execute("HerstelOrders", "q", {})
    assert sleeps == [10.0]


async def test_http_429_waits_as_retry_after_says() -> None:
    session, sleeps = FakeSession(Reply(429, {}, {"Retry-After": "2.0"}), Reply(200, OK)), Sleeps()
    await client(session, sleeps).execute("HerstelOrders", "q", {})
    assert sleeps == [2.0]


async def test_a_server_error_is_retried_with_back_off() -> None:
    session, sleeps = FakeSession(Reply(502, b"Bad Gateway"), Reply(200, OK)), Sleeps()
    assert await client(session, sleeps).execute("HerstelOrders", "q", {}) == OK["data"]
    assert sleeps == [0.2]


async def test_server_errors_every_time_make_the_shop_unavailable() -> None:
    session, sleeps = FakeSession(*(Reply(503, b"") for _ in range(3))), Sleeps()
    with pytest.raises(ShopUnavailable, match="HTTP 503"):
        await client(session, sleeps).execute("HerstelOrders", "q", {})
    assert len(session.posts) == 3


async def test_a_write_shopify_cannot_deduplicate_is_not_sent_twice() -> None:
    session, sleeps = FakeSession(TimeoutError(), Reply(200, OK)), Sleeps()
    with pytest.raises(ShopUnavailable, match="no answer in time"):
        await client(session, sleeps).execute("HerstelDraftOrderCreate", "m", {}, repeatable=False)
    assert len(session.posts) == 1


async def test_connection_errors_are_unavailable() -> None:
    errors = [aiohttp.ClientConnectionError("refused") for _ in range(3)]
    with pytest.raises(ShopUnavailable):
        await client(FakeSession(*errors), Sleeps()).execute("HerstelOrders", "q", {})


@pytest.mark.parametrize("status", [401, 403])
async def test_a_wrong_token_or_missing_scope_is_refused_not_retried(status: int) -> None:
    session = FakeSession(Reply(status, {"errors": "[API] Invalid API key or access token"}))
    with pytest.raises(ShopRefused, match="access token"):
        await client(session, Sleeps()).execute("HerstelOrders", "q", {})
    assert len(session.posts) == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("ACCESS_DENIED", ShopRefused),
        ("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", IdempotencyConflict),
        ("GRAPHQL_VALIDATION_FAILED", ShopError),
    ],
)
async def test_graphql_errors_map_to_the_shops_errors(code: str, error: type[Exception]) -> None:
    body = {"errors": [{"message": "no", "extensions": {"code": code}}], "data": None}
    with pytest.raises(error):
        await client(FakeSession(Reply(200, body)), Sleeps()).execute("HerstelOrders", "q", {})


async def test_a_concurrent_request_with_the_same_idempotency_key_is_tried_again() -> None:
    busy = {
        "errors": [
            {"message": "in progress", "extensions": {"code": "IDEMPOTENCY_CONCURRENT_REQUEST"}}
        ]
    }
    session, sleeps = FakeSession(Reply(200, busy), Reply(200, OK)), Sleeps()
    assert await client(session, sleeps).execute("HerstelRefundCreate", "m", {}) == OK["data"]


@pytest.mark.parametrize(
    "body", [b"<html>oops</html>", b"[1, 2]", json.dumps({"data": None}).encode()]
)
async def test_an_answer_that_is_not_a_graphql_result_is_unavailable(body: bytes) -> None:
    replies = [Reply(200, body) for _ in range(3)]
    with pytest.raises(ShopUnavailable):
        await client(FakeSession(*replies), Sleeps()).execute("HerstelOrders", "q", {})


async def test_logs_name_the_operation_never_the_variables(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    session = FakeSession(Reply(200, throttled(10, 0)), Reply(200, OK))
    await client(session, Sleeps()).execute(
        "HerstelOrders", "q", {"query": 'email:"anna@example.nl"'}
    )
    assert "HerstelOrders" in caplog.text and "anna" not in caplog.text


def test_throttle_wait_without_cost_data_is_a_second() -> None:
    assert throttle_wait(None) == 1.0
    assert throttle_wait({"cost": {"requestedQueryCost": 5, "throttleStatus": {}}}) == 1.0

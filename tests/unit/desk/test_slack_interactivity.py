"""The desk's Slack endpoint: only signed requests act; the ack comes before the work."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from desk.app import create_app
from escalation.model import Act, Status
from escalation.signing import sign_slack_request
from herstel.bootstrap import Services
from herstel.settings import Settings
from tests.unit.desk.conftest import SECRET


def _body(case_id: str, action: Act = Act.CLAIM, user: str = "U-AGENT") -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "anna"},
        "actions": [{"type": "button", "action_id": action.value, "value": case_id}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def _post(client: TestClient, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    return await client.post("/slack/interactivity", data=body, headers=headers)


def _signed(body: bytes, at: float | None = None, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign_slack_request(secret, timestamp, body),
    }


async def _status(services: Services, case_id: str) -> Status:
    await asyncio.sleep(0.2)  # the work happens after the ack
    return (await services.escalation.case(case_id)).state.status


async def test_a_signed_click_is_acked_and_then_carried_out(desk):
    client, services, case_id = desk
    body = _body(case_id)
    response = await _post(client, body, _signed(body))
    assert response.status == 200
    assert await _status(services, case_id) is Status.CLAIMED


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="unsigned"),
        pytest.param("tampered", id="tampered body"),
        pytest.param("expired", id="older than five minutes"),
        pytest.param("wrong secret", id="wrong secret"),
    ],
)
async def test_anything_not_signed_by_slack_is_refused_and_changes_nothing(desk, headers):
    client, services, case_id = desk
    body = _body(case_id)
    if headers == "tampered":
        headers = _signed(_body(case_id, Act.TAKE_OVER))
    elif headers == "expired":
        headers = _signed(body, at=time.time() - 301)
    elif headers == "wrong secret":
        headers = _signed(body, secret="someone-else")
    response = await _post(client, body, headers)
    assert response.status == 401
    assert "signature" in (await response.json())["error"]
    assert await _status(services, case_id) is Status.OPEN


async def test_a_signed_but_malformed_payload_gets_a_clear_400(desk):
    client, services, case_id = desk
    body = b"payload=%7Bnot+json"
    response = await _post(client, body, _signed(body))
    assert response.status == 400
    assert "JSON" in (await response.json())["error"]
    assert await _status(services, case_id) is Status.OPEN


async def test_without_a_signing_secret_the_endpoint_is_closed(desk, tmp_path):
    _, services, case_id = desk
    settings = Settings(var_dir=tmp_path)
    async with TestClient(TestServer(create_app(settings, services))) as client:
        body = _body(case_id)
        response = await _post(client, body, _signed(body))
    assert response.status == 503

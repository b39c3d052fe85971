"""The local agent inbox's API: the same actions as Slack, refused when Slack is set up."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from desk.app import create_app
from escalation.model import Status
from herstel.settings import Settings


async def test_an_agent_claims_from_the_inbox_and_sees_the_card(desk):
    client, _, case_id = desk
    response = await client.post(
        f"/inbox/api/cases/{case_id}/act", json={"action_id": "herstel_claim", "user_id": "U-AGENT"}
    )
    result = await response.json()
    assert result["done"] and result["case"]["status"] == "claimed"
    cases = await (await client.get("/inbox/api/cases")).json()
    assert [c["case_id"] for c in cases] == [case_id]
    assert cases[0]["card"]["blocks"][0]["type"] == "header"


async def test_bad_requests_get_clear_errors_and_change_nothing(desk):
    client, services, case_id = desk
    url = f"/inbox/api/cases/{case_id}/act"
    assert (await client.post(url, data=b"{nope")).status == 400
    assert (await client.post(url, json={"action_id": "herstel_claim"})).status == 400
    unknown = await client.post(
        "/inbox/api/cases/nope/act", json={"action_id": "herstel_claim", "user_id": "U-AGENT"}
    )
    assert unknown.status == 404
    stranger = await client.post(url, json={"action_id": "herstel_claim", "user_id": "U-X"})
    assert not (await stranger.json())["done"]
    assert (await services.escalation.case(case_id)).state.status is Status.OPEN


async def test_with_slack_configured_the_inbox_is_off(desk, tmp_path):
    _, services, _ = desk
    settings = Settings(var_dir=tmp_path, slack_bot_token=SecretStr("xoxb-1"))
    async with TestClient(TestServer(create_app(settings, services))) as client:
        assert (await client.get("/inbox")).status == 404
        assert (await client.get("/inbox/api/cases")).status == 404

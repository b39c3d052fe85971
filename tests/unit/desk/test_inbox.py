"""The local agent inbox's API: the same actions as Slack; with Slack, the cases it lacks."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from desk.app import create_app
from escalation.model import Status
from herstel.bootstrap import Services
from herstel.clock import FrozenClock
from herstel.settings import Settings
from tests.builders import NOW
from tests.support.escalation import AGENTS, DOWN, FlakySlack, MissingLaptop
from tests.unit.desk.test_dashboard_routes import from_address


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


async def test_with_slack_configured_the_inbox_is_off_away_from_loopback(desk, tmp_path):
    _, services, _ = desk
    settings = Settings(var_dir=tmp_path, slack_bot_token=SecretStr("xoxb-1"))
    app = create_app(settings, services)
    app.middlewares.append(from_address("203.0.113.7"))
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/inbox")).status == 404
        assert (await client.get("/inbox/api/cases")).status == 404


async def test_with_slack_configured_the_inbox_holds_the_cases_slack_has_not_taken(
    sqlite_store, tmp_path
):
    clock = FrozenClock(NOW)
    slack = FlakySlack(down=DOWN)
    w = MissingLaptop.build(sqlite_store, clock=clock, cards=slack)
    courier = w.courier(sqlite_store, clock, slack)
    settings = Settings(var_dir=tmp_path, slack_bot_token=SecretStr("xoxb-1"), agents=AGENTS)
    services = Services(w.recovery, w.escalation, settings, courier=courier)
    case_id = await w.escalate()
    async with TestClient(TestServer(create_app(settings, services))) as client:
        [waiting] = await (await client.get("/inbox/api/cases")).json()
        assert waiting["case_id"] == case_id
        assert waiting["note"].startswith("Not in Slack yet: Slack answered http_503 (1 try).")
        claimed = await client.post(
            f"/inbox/api/cases/{case_id}/act",
            json={"action_id": "herstel_claim", "user_id": "U-AGENT"},
        )
        assert (await claimed.json())["done"]  # agents can work it here meanwhile
        slack.down = None
        clock.advance(timedelta(minutes=1))
        assert await courier.deliver_due() == 1
        assert await (await client.get("/inbox/api/cases")).json() == []

"""The dashboard's routes: the page, the report, the mandate, a draft's replay, the token rule."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from desk.app import create_app
from desk.dashboard_routes import MAX_DRAFT_BYTES
from desk.dashboard_service import DashboardService
from herstel.bootstrap import Services
from herstel.settings import Settings
from journeys.db import create_engine_for
from journeys.moments import MomentStore
from policies import DEFAULT_POLICY_PATH, load_default
from tests.support.escalation import MissingLaptop
from tests.support.fixtures import Store
from tests.support.moments import SHOWER_OIL, moment
from tests.unit.desk.test_dashboard_service import CAP_BELOW_BOT, DEFAULT_TEXT, generous_draft

YAML = {"Content-Type": "application/yaml"}
TOKEN = "s3cret-dashboard-token"


def services_for(store: Store, settings: Settings) -> Services:
    w = MissingLaptop.build(store)
    dashboard = DashboardService(store.engine, load_default(), DEFAULT_POLICY_PATH, store.clock)
    return Services(w.recovery, w.escalation, settings, dashboard=dashboard)


def from_address(remote: str) -> Callable[..., Awaitable[web.StreamResponse]]:
    """A middleware that makes every request look as if it came from `remote`."""

    @web.middleware
    async def elsewhere(request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
        return await handler(request.clone(remote=remote))

    return elsewhere


async def client_for(settings: Settings, services: Services, remote: str | None = None):  # type: ignore[no-untyped-def]
    app = create_app(settings, services)
    if remote is not None:
        app.middlewares.append(from_address(remote))
    return TestClient(TestServer(app))


@pytest.fixture
async def desk(sqlite_store: Store, tmp_path) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(var_dir=tmp_path)
    async with await client_for(settings, services_for(sqlite_store, settings)) as client:
        yield client


async def record(store: Store, *moments) -> None:  # type: ignore[no-untyped-def]
    for m in moments:
        await MomentStore(store.engine).record(m)


async def test_the_page_and_its_script_are_served(desk):
    page = await desk.get("/dashboard")
    assert page.status == 200
    html = await page.text()
    assert "/dashboard/static/dashboard.js" in html and "<textarea" in html
    assert (await desk.get("/dashboard/static/dashboard.js")).status == 200
    assert (await desk.get("/dashboard/static/dashboard.css")).status == 200


async def test_an_empty_store_answers_with_the_empty_state(desk):
    response = await desk.get("/dashboard/api/report")
    assert response.status == 200
    report = await response.json()
    assert report["empty"] is True and report["recent"] == []


async def test_the_report_shows_recorded_moments(desk, sqlite_store):
    await record(sqlite_store, moment(1), SHOWER_OIL)
    report = await (await desk.get("/dashboard/api/report?since=30d")).json()
    assert report["empty"] is False
    assert report["recovery_moments"]["overall"]["moments"] == 2
    assert report["recovery_moments"]["overall"]["cost"][0]["text"] == "€38.45"
    assert [m["case_id"] for m in report["recent"]] == [SHOWER_OIL.case_id, moment(1).case_id]


async def test_a_period_that_is_not_one_is_refused(desk):
    for since in ("thirty", "-30d", "0d"):
        response = await desk.get(f"/dashboard/api/report?since={since}")
        assert response.status == 400
        assert "30d" in (await response.json())["error"]


async def test_the_mandate_in_force_comes_with_its_file(desk):
    mandate = await (await desk.get("/dashboard/api/mandate")).json()
    assert mandate["text"] == DEFAULT_TEXT and mandate["version"] == load_default().version


async def test_a_more_generous_draft_shows_its_extra_cost(desk, sqlite_store):
    await record(sqlite_store, moment(1), moment(2), moment(3), SHOWER_OIL)
    response = await desk.post("/dashboard/api/simulate", data=generous_draft(), headers=YAML)
    assert response.status == 200
    result = await response.json()
    assert result["cases"] == 4
    assert result["current"]["overall"]["cost"]["text"] == "€83.40"
    assert result["draft"]["overall"]["cost"]["text"] == "€90.90"
    assert result["difference"]["overall"]["cost"]["minor"] == 750


async def test_a_bad_draft_gets_a_400_with_the_checkers_messages(desk, sqlite_store):
    await record(sqlite_store, moment(1))
    before = await (await desk.get("/dashboard/api/mandate")).json()
    response = await desk.post("/dashboard/api/simulate", data=CAP_BELOW_BOT, headers=YAML)
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "the draft does not pass the check"
    [error] = body["errors"]
    assert error.startswith("draft:") and ": error: levels.agent.per_gesture.voucher:" in error
    assert "below bot's" in error
    after = await (await desk.get("/dashboard/api/mandate")).json()
    assert after == before


async def test_a_draft_that_is_not_yaml_text_is_refused(desk):
    not_utf8 = await desk.post("/dashboard/api/simulate", data=b"name: \xff\xfe", headers=YAML)
    assert not_utf8.status == 400
    form = await desk.post("/dashboard/api/simulate", data={"draft": "name: x"})
    assert form.status == 415


async def test_an_oversized_draft_gets_a_413(desk):
    big = "# padding\n" * (MAX_DRAFT_BYTES // 10 + 1) + DEFAULT_TEXT
    response = await desk.post("/dashboard/api/simulate", data=big, headers=YAML)
    assert response.status == 413
    assert "KB" in (await response.json())["error"]


async def test_an_oversized_draft_sent_in_chunks_gets_a_413(desk):
    async def chunks():  # no Content-Length: the desk counts as it reads
        for _ in range(MAX_DRAFT_BYTES // 1024 + 2):
            yield b"#" * 1023 + b"\n"

    response = await desk.post("/dashboard/api/simulate", data=chunks(), headers=YAML)
    assert response.status == 413


# --- who may look ---------------------------------------------------------------------------


async def test_without_a_token_the_api_answers_only_on_loopback(sqlite_store, tmp_path):
    settings = Settings(var_dir=tmp_path)
    services = services_for(sqlite_store, settings)
    async with await client_for(settings, services, remote="203.0.113.7") as client:
        report = await client.get("/dashboard/api/report")
        assert report.status == 403
        assert "HERSTEL_DASHBOARD_TOKEN" in (await report.json())["error"]
        simulate = await client.post("/dashboard/api/simulate", data="x", headers=YAML)
        assert simulate.status == 403
        assert (await client.get("/dashboard")).status == 200  # the page holds no data


async def test_with_a_token_every_api_call_must_carry_it(sqlite_store, tmp_path):
    settings = Settings(var_dir=tmp_path, dashboard_token=SecretStr(TOKEN))
    services = services_for(sqlite_store, settings)
    async with await client_for(settings, services, remote="203.0.113.7") as client:
        for path in ("/dashboard/api/report", "/dashboard/api/mandate"):
            missing = await client.get(path)
            assert missing.status == 401
            assert missing.headers["WWW-Authenticate"].startswith("Bearer")
            wrong = await client.get(path, headers={"Authorization": "Bearer nope"})
            assert wrong.status == 401
            right = await client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
            assert right.status == 200
        refused = await client.post("/dashboard/api/simulate", data=generous_draft(), headers=YAML)
        assert refused.status == 401
        allowed = await client.post(
            "/dashboard/api/simulate",
            data=generous_draft(),
            headers={**YAML, "Authorization": f"Bearer {TOKEN}"},
        )
        assert allowed.status == 200


async def test_with_a_token_loopback_must_carry_it_too(sqlite_store, tmp_path):
    settings = Settings(var_dir=tmp_path, dashboard_token=SecretStr(TOKEN))
    async with await client_for(settings, services_for(sqlite_store, settings)) as client:
        assert (await client.get("/dashboard/api/report")).status == 401


async def test_a_desk_without_the_dashboard_service_says_so(sqlite_store, tmp_path):
    settings = Settings(var_dir=tmp_path)
    w = MissingLaptop.build(sqlite_store)
    async with await client_for(settings, Services(w.recovery, w.escalation, settings)) as client:
        response = await client.get("/dashboard/api/report")
        assert response.status == 503


async def test_a_journey_store_that_cannot_be_read_gets_a_503(sqlite_store, tmp_path):
    settings = Settings(var_dir=tmp_path)
    w = MissingLaptop.build(sqlite_store)
    nowhere = create_engine_for(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    dashboard = DashboardService(nowhere, load_default(), DEFAULT_POLICY_PATH, sqlite_store.clock)
    services = Services(w.recovery, w.escalation, settings, dashboard=dashboard)
    try:
        async with await client_for(settings, services) as client:
            response = await client.get("/dashboard/api/report")
            assert response.status == 503
            assert "journey store" in (await response.json())["error"]
    finally:
        await nowhere.dispose()

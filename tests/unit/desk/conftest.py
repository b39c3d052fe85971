"""A desk app over real services with fakes at the edges, and one escalated case."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from desk.app import create_app
from herstel.bootstrap import Services
from herstel.settings import Settings
from tests.support.escalation import MissingLaptop

SECRET = "desk-test-secret"


@pytest.fixture
async def desk(sqlite_store, tmp_path) -> AsyncIterator[tuple[TestClient, Services, str]]:  # type: ignore[no-untyped-def]
    w = MissingLaptop.build(sqlite_store)
    settings = Settings(var_dir=tmp_path, slack_signing_secret=SecretStr(SECRET))
    services = Services(w.recovery, w.escalation, settings)
    case_id = await w.escalate(language="en")
    async with TestClient(TestServer(create_app(settings, services))) as client:
        yield client, services, case_id

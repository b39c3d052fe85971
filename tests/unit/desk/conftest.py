"""A desk app over real services with fakes at the edges, and one escalated case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from carriers.fake import FakeCarrier
from carriers.model import ShipmentStatus
from desk.app import create_app
from escalation.case_file import Handover, case_file
from escalation.model import Why
from herstel.bootstrap import Services
from herstel.clock import FrozenClock
from herstel.settings import Settings
from journeys.moments import MomentStore
from policies import Channel, ComplaintType, load_default
from recovery.granting import Granter
from recovery.proposal import Complaint
from recovery.service import RecoveryService
from shop.memory import InMemoryShop
from tests.builders import NOW, a_shipment, an_order
from tests.support.escalation import RecordingConversations, escalation_service

SECRET = "desk-test-secret"


@pytest.fixture
async def desk(sqlite_store, tmp_path) -> AsyncIterator[tuple[TestClient, Services, str]]:  # type: ignore[no-untyped-def]
    clock = FrozenClock(NOW)
    shop = InMemoryShop([an_order()])
    delivered = a_shipment(ShipmentStatus.DELIVERED, delivered_at=NOW - timedelta(hours=3))
    mandate = load_default()
    recovery = RecoveryService(
        shop,
        {"postnl": FakeCarrier({"3SHRST100482": delivered})},
        clock,
        mandate,
        Granter(shop, sqlite_store.ledger, mandate),
        MomentStore(sqlite_store.engine),
    )
    escalation = escalation_service(sqlite_store.engine, recovery, clock, RecordingConversations())
    settings = Settings(var_dir=tmp_path, slack_signing_secret=SecretStr(SECRET))
    services = Services(recovery, escalation, settings)
    complaint = Complaint(ComplaintType.MISSING_ITEM, Channel.WEBCHAT)
    diagnosis = await recovery.diagnose("100482", "3512JE")
    handover = Handover(
        "100482:missing_item:abc", "abc", "webchat", "en", Why.ABOVE_MANDATE, NOW,
        complaint, diagnosis, await recovery.propose(complaint, diagnosis),
    )  # fmt: skip
    case = await escalation.open(case_file(handover), "web-1")
    async with TestClient(TestServer(create_app(settings, services))) as client:
        yield client, services, case.file.case_id

from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.services import use_services
from carriers.fake import FakeCarrier
from herstel.bootstrap import Services, recovery_service
from herstel.clock import FrozenClock
from herstel.settings import Settings
from policies import load_default
from shop.memory import InMemoryShop
from tests.builders import NOW, a_shipment, an_order
from tests.support.escalation import escalation_service


def a_tracker(slots: dict[str, Any] | None = None, text: str = "") -> Tracker:
    return Tracker(
        sender_id="conv-1",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": "inform"}, "entities": []},
        events=[{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def carrier() -> FakeCarrier:
    return FakeCarrier({"3SHRST100482": a_shipment()})


@pytest.fixture
def shop() -> InMemoryShop:
    return InMemoryShop([an_order()])


@pytest.fixture(autouse=True)
def services(carrier: FakeCarrier, shop: InMemoryShop, sqlite_store) -> Iterator[Services]:
    clock = FrozenClock(NOW)
    recovery = recovery_service(
        shop, {"postnl": carrier}, clock, load_default(), sqlite_store.engine
    )
    escalation = escalation_service(sqlite_store.engine, recovery, FrozenClock(NOW))
    services = Services(recovery, escalation, Settings())
    use_services(services)
    yield services
    use_services(None)

"""The composition root: builds the services with their real adapters."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from carriers.factory import build_carrier
from carriers.model import Carrier
from desk.dashboard_service import DashboardService
from escalation.agents import INBOX_AGENTS, AgentDirectory
from escalation.card_queue import CardQueue
from escalation.conversations import RasaConversations
from escalation.courier import Courier
from escalation.deliveries import Deliveries
from escalation.inbox import InboxCards
from escalation.service import Cards, EscalationService
from escalation.slack import SlackCards
from escalation.store import EscalationStore
from herstel.clock import Clock, SystemClock
from herstel.settings import Settings
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from journeys.moments import MomentStore
from journeys.outbox import Outbox
from policies import load_mandate
from recovery.granting import Granter
from recovery.service import RecoveryService
from recovery.standing import StandingReader
from shop.demo import DemoShop


@dataclass
class Services:
    recovery: RecoveryService
    escalation: EscalationService
    settings: Settings
    _closers: list[Any] = field(default_factory=list)
    dashboard: DashboardService | None = None  # the desk's CX dashboard; None: not set up
    courier: Courier | None = None  # delivers what Slack or Rasa did not take (the desk runs it)

    async def close(self) -> None:
        for closer in reversed(self._closers):
            await closer()


async def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Services:
    """Wire the real adapters; unit tests build RecoveryService with fakes instead."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    shop_db = create_engine_for(settings.shop_db_url)
    shop = DemoShop(shop_db, clock)
    await shop.create_schema()
    session = aiohttp.ClientSession()
    journeys = create_engine_for(settings.journey_db_url)
    mandate = load_mandate(settings.policy_file)
    ledger = GestureLedger(journeys, clock)
    # A moment that cannot be written waits in a local outbox and is flushed when the
    # store is back: on the next write, and every 30 seconds.
    outbox = Outbox.in_var_dir(settings.var_dir)
    moments = MomentStore(journeys, outbox)
    flusher = asyncio.get_running_loop().create_task(moments.keep_flushing(every=30))
    recovery = RecoveryService(
        shop,
        _carriers(settings, session, clock),
        clock,
        mandate,
        Granter(shop, ledger, mandate),
        moments,
        StandingReader(ledger, mandate),
    )
    cards, queue, deliveries = (
        _cards(settings),
        CardQueue(journeys, clock),
        Deliveries(journeys, clock),
    )
    rasa = RasaConversations(session, settings.rasa_url, settings.rasa_token.get_secret_value())
    escalation = EscalationService(
        EscalationStore(journeys, clock),
        recovery,
        cards,
        rasa,
        agent_directory(settings),
        clock,
        channel=settings.slack_channel,
        queue=queue,
        deliveries=deliveries,
    )
    return Services(
        recovery,
        escalation,
        settings,
        [shop_db.dispose, session.close, journeys.dispose, _cancelling(flusher)],
        DashboardService(journeys, mandate, settings.policy_file, clock, outbox=outbox),
        Courier(escalation, cards, settings.slack_channel, queue, rasa, deliveries),
    )


def _cancelling(task: asyncio.Task[None]):  # type: ignore[no-untyped-def]
    async def cancel() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return cancel


def agent_directory(settings: Settings) -> AgentDirectory:
    slack = bool(settings.slack_bot_token.get_secret_value())
    return AgentDirectory.parse(settings.agents or ("" if slack else INBOX_AGENTS))


def _cards(settings: Settings) -> Cards:
    token = settings.slack_bot_token.get_secret_value()
    if not token:
        return InboxCards()
    return SlackCards.connect(
        token, base_url=settings.slack_api_url, show_names=settings.show_customer_names
    )


def _carriers(
    settings: Settings, session: aiohttp.ClientSession, clock: Clock
) -> dict[str, Carrier]:
    common = {
        "clock": clock,
        "timeout": settings.carrier_timeout_seconds,
        "cache_seconds": settings.carrier_cache_seconds,
    }
    return {
        "postnl": build_carrier(
            "postnl",
            session,
            base_url=settings.postnl_base_url,
            api_key=settings.postnl_api_key.get_secret_value(),
            **common,
        ),
        "dhl": build_carrier(
            "dhl",
            session,
            base_url=settings.dhl_base_url,
            api_key=settings.dhl_api_key.get_secret_value(),
            **common,
        ),
    }


async def prepare(settings: Settings, clock: Clock) -> int:
    """Once at start-up: migrate the journey store, write the demo orders; returns how many."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    await migrate(settings.journey_db_url)
    engine = create_engine_for(settings.shop_db_url)
    try:
        demo = DemoShop(engine, clock)
        await demo.create_schema()
        return await demo.seed()
    finally:
        await engine.dispose()

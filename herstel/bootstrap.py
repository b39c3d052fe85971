"""The composition root: builds the services with their real adapters."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from carriers.factory import build_carrier
from carriers.model import Carrier
from demoworld import service as demo_world
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
from journeys.cases import SqlCaseStore
from journeys.db import create_engine_for, migrate
from journeys.ledger import GestureLedger
from journeys.moments import MomentStore
from journeys.outbox import Outbox
from policies import Mandate, load_mandate
from recovery.casebook import CaseBook
from recovery.granting import Granter
from recovery.service import RecoveryService
from recovery.standing import StandingReader
from shop.demo import DemoShop
from shop.model import Shop
from shop.shopify.adapter import ShopifyShop
from shop.shopify.orders import Rules

Closer = Callable[[], Awaitable[None]]


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
    session = aiohttp.ClientSession()
    shop, close_shop = await build_shop(settings, clock, session)
    journeys = create_engine_for(settings.journey_db_url)
    mandate = load_mandate(settings.policy_file)
    # A moment that cannot be written waits in a local outbox and is flushed when the
    # store is back: on the next write, and every 30 seconds.
    outbox = Outbox.in_var_dir(settings.var_dir)
    moments = MomentStore(journeys, outbox)
    flusher = asyncio.get_running_loop().create_task(moments.keep_flushing(every=30))
    carriers = _carriers(settings, session, clock)
    recovery = recovery_service(shop, carriers, clock, mandate, journeys, moments)
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
        [close_shop, session.close, journeys.dispose, _cancelling(flusher)],
        DashboardService(journeys, mandate, settings.policy_file, clock, outbox=outbox),
        Courier(escalation, cards, settings.slack_channel, queue, rasa, deliveries),
    )


async def build_shop(
    settings: Settings, clock: Clock, session: aiohttp.ClientSession | None = None
) -> tuple[Shop, Closer]:
    """The shop adapter the settings name, and how to close it. Without a session, a Shopify
    shop opens its own and closes it with the shop."""
    if settings.shop == "shopify":
        own = session is None
        http = session or aiohttp.ClientSession()
        shopify = ShopifyShop.connect(
            http,
            settings.shopify_endpoint,
            settings.shopify_access_token.get_secret_value(),
            clock,
            timeout=settings.shopify_timeout_seconds,
            code_secret=settings.shopify_code_secret.get_secret_value(),
            rules=Rules(
                order_prefix=settings.shopify_order_prefix,
                vip_tag=settings.shopify_vip_tag,
                promise=timedelta(days=settings.shopify_promise_days),
            ),
            notify_customer=settings.shopify_notify_customers,
        )
        return shopify, (http.close if own else _nothing)
    engine = create_engine_for(settings.shop_db_url)
    demo = DemoShop(engine, clock)
    await demo.create_schema()
    return demo, engine.dispose


async def _nothing() -> None:
    return None


def recovery_service(
    shop: Shop,
    carriers: Mapping[str, Carrier],
    clock: Clock,
    mandate: Mandate,
    journeys: AsyncEngine,
    moments: MomentStore | None = None,
) -> RecoveryService:
    """The recovery service over the journey store: ledger, cases, moments, standing."""
    ledger = GestureLedger(journeys, clock)
    moments = moments or MomentStore(journeys)
    cases = SqlCaseStore(journeys)
    return RecoveryService(
        shop,
        carriers,
        clock,
        mandate,
        Granter(shop, ledger, mandate),
        moments,
        StandingReader(ledger, mandate, cases),
        CaseBook(cases, ledger, clock, moments),
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
    """Once at start-up: migrate the journey store, write the demo shop's orders (the README's
    and a generated demo world's); returns how many orders the demo shop holds."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    await migrate(settings.journey_db_url)
    if settings.shop != "demo":
        return 0
    return (await demo_world.load(settings, clock)).orders

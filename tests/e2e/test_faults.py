"""Faults under load, with real servers: simulated customers keep talking while PostgreSQL
restarts or stops, the action server is killed, Slack fails, Redis restarts under two Rasa
servers and the carrier does not answer.

Each test checks, from the customer's side, that every message got an answer (the apology
after a failure counts, silence does not), and behind it that nothing was issued twice or
lost: every voucher code a customer was told is in the ledger once, as the shop's one write,
with its recovery moment; Rasa's tracker holds every answered message once. And that
everything came back by itself. The stack is production-shaped: PostgreSQL for the journey
store, the shop and Rasa's tracker store, Redis as the lock store of two Rasa servers, Slack
(the local stand-in) for hand-overs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import yaml

from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import Ports, Stack, free_port
from herstel.model import ensure_model
from herstel.settings import ROOT, Settings
from journeys.db import create_engine_for
from shop.demo import DemoShop
from tests.support.customers import APOLOGY_EN, APOLOGY_NL, Crowd, SimulatedCustomer
from tests.support.fixtures import fresh_postgres_database
from tests.support.postgres import PostgresServer, start_server, stop_server, throwaway_postgres
from tests.support.redis import RestartableRedis, restartable_redis
from tests.support.slack_standin import CHANNEL_ID, SlackStandIn
from tests.support.threaded import BackgroundServer

pytestmark = pytest.mark.e2e

DATABASES = ("journeys", "shop", "tracker")
LAPTOPS = 60  # demo orders of the late laptop, one per conversation (budgets are per order)


@dataclass
class Faults:
    stack: Stack
    servers: tuple[str, str]
    postgres: PostgresServer
    redis: RestartableRedis
    slack: SlackStandIn
    dsn: dict[str, str]  # journeys, shop, tracker: asyncpg DSNs
    _orders: Iterator[str]

    def crowd(self, size: int) -> Crowd:
        return Crowd.of(self.servers, [next(self._orders) for _ in range(size)])

    def fetch(self, db: str, query: str, *args: Any) -> list[asyncpg.Record]:
        async def run() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(self.dsn[db])
            try:
                return list(await conn.fetch(query, *args))
            finally:
                await conn.close()

        return asyncio.run(run())


def _laptops(path: Path) -> list[str]:
    """Copies of the late laptop (the simulator's parcel 3SHRST100482), each its own customer."""
    numbers = [f"{300000 + i}" for i in range(LAPTOPS)]
    seed = {
        "customers": [
            {"id": f"cus_f{i:03d}", "email": f"f{i}@example.nl", "segment": "regular"}
            for i in range(LAPTOPS)
        ],
        "orders": [
            {"number": number, "customer": f"cus_f{i:03d}", "postcode": "3512 JE",
             "placed": "-1d", "promised_by": "-30m", "carrier": "postnl",
             "tracking_number": "3SHRST100482", "shipping_cost": "0.00",
             "lines": [{"sku": "LAP-14-PRO", "name": "laptop", "quantity": 1,
                        "unit_price": "899.00"}]}
            for i, number in enumerate(numbers)
        ],
    }  # fmt: skip
    path.write_text(yaml.safe_dump(seed))
    return numbers


async def _seed(url: str, path: Path) -> None:
    engine = create_engine_for(url)
    try:
        await DemoShop(engine, SystemClock()).seed(path)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    var_dir = tmp_path_factory.mktemp("var-faults")
    model = ensure_model(ROOT)
    slack = SlackStandIn()
    slack_server = BackgroundServer(slack.app, free_port()).start()
    slack.base_url = f"http://127.0.0.1:{slack_server.port}/api/"
    with throwaway_postgres() as pg, restartable_redis() as redis:
        urls = {db: asyncio.run(fresh_postgres_database(pg)) for db in DATABASES}
        settings = Settings(var_dir=var_dir, database_url=urls["journeys"],
                            shop_database_url=urls["shop"])  # fmt: skip
        asyncio.run(prepare(settings, SystemClock()))
        orders = _laptops(var_dir / "laptops.yml")
        asyncio.run(_seed(urls["shop"], var_dir / "laptops.yml"))
        env = {
            "HERSTEL_DATABASE_URL": urls["journeys"],
            "HERSTEL_SHOP_DATABASE_URL": urls["shop"],
            "HERSTEL_TRACKER_DIALECT": "postgresql",
            "HERSTEL_TRACKER_HOST": f"{pg.host}:{pg.port}",
            "HERSTEL_TRACKER_DB": _name(urls["tracker"]),
            "HERSTEL_TRACKER_USER": pg.user,
            "HERSTEL_TRACKER_PASSWORD": "",
            "HERSTEL_LOCK_STORE": "bot.lock_store.AtomicRedisLockStore",
            "HERSTEL_LOCK_STORE_HOST": redis.server.host,
            "HERSTEL_LOCK_STORE_PORT": str(redis.server.port),
            "HERSTEL_NPS_PERCENT": "0",
            "HERSTEL_SLACK_BOT_TOKEN": slack.token,
            "HERSTEL_SLACK_SIGNING_SECRET": "faults-signing-secret",
            "HERSTEL_SLACK_CHANNEL": CHANNEL_ID,
            "HERSTEL_SLACK_API_URL": slack.base_url,
            "HERSTEL_AGENTS": "U-AGENT:Anna=agent",
        }
        try:
            with Stack(Ports.free(), var_dir=var_dir, model=model, extra_env=env) as stack:
                second = stack.start_rasa(free_port())
                dsn = {db: pg.dsn(_name(url)) for db, url in urls.items()}
                yield Faults(stack, (stack.url("rasa"), second), pg, redis, slack, dsn,
                             iter(orders))  # fmt: skip
        finally:
            slack_server.stop()


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def after(delay: float, action: Callable[[], None], when: dict[str, float]) -> Callable[[], None]:
    """A fault for Crowd.converse: `action` once the conversations are under way."""

    def fault() -> None:
        time.sleep(delay)
        action()
        when["over"] = time.monotonic()

    return fault


def assert_nothing_lost_or_doubled(faults: Faults, crowd: Crowd) -> None:
    pairs = zip(crowd.customers, crowd.orders, strict=True)
    told = {order: crowd.codes[customer.sender] for customer, order in pairs}
    assert all(told.values()), told
    ledger = faults.fetch(
        "journeys",
        "SELECT order_number, state, result_ref FROM gesture_ledger WHERE order_number = ANY($1)",
        crowd.orders,
    )
    assert sorted((r["order_number"], r["state"], r["result_ref"]) for r in ledger) == sorted(
        (order, "issued", code) for order, code in told.items()
    )
    writes = faults.fetch(
        "shop", "SELECT order_number FROM demo_gesture_writes WHERE order_number = ANY($1)",
        crowd.orders,
    )  # fmt: skip
    assert sorted(r["order_number"] for r in writes) == sorted(crowd.orders)
    _eventually(lambda: _moments(faults, crowd) == sorted(crowd.orders), timeout=60)
    for customer in crowd.customers:  # Rasa's tracker: each answered message once, in order
        events = faults.fetch(
            "tracker", "SELECT data FROM events WHERE sender_id = $1 ORDER BY id", customer.sender
        )
        stored = [e["text"] for e in map(json.loads, (r["data"] for r in events))
                  if e["event"] == "user"]  # fmt: skip
        answered = [e.text for e in customer.exchanges if not e.apology]
        assert stored == answered, customer.transcript()


def _moments(faults: Faults, crowd: Crowd) -> list[str]:
    rows = faults.fetch(
        "journeys", "SELECT order_number FROM recovery_moments WHERE order_number = ANY($1)",
        crowd.orders,
    )  # fmt: skip
    return sorted(r["order_number"] for r in rows)


def assert_back_by_itself(faults: Faults) -> None:
    """A new conversation now goes through without a single apology."""
    crowd = faults.crowd(1)
    crowd.converse()
    troubled = [e for e in crowd.exchanges if e.apology or not e.answered]
    assert troubled == [], crowd.customers[0].transcript()


def _eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("it did not happen in time")
        time.sleep(0.5)


def assert_apologies_in_their_language(crowd: Crowd) -> None:
    for customer in crowd.customers:
        own = APOLOGY_NL if customer.language == "nl" else APOLOGY_EN
        for exchange in customer.exchanges:
            if exchange.apology:
                assert own in "\n".join(exchange.replies), customer.transcript()


# --- the faults ----------------------------------------------------------------------------


def test_postgres_restarted_under_load(faults: Faults) -> None:
    crowd, when = faults.crowd(8), {}

    def restart() -> None:
        stop_server(faults.postgres)
        start_server(faults.postgres)

    crowd.converse(after(1.5, restart, when))
    assert crowd.unanswered() == []
    # The pools check their connections: no turn after the restart meets a closed one.
    assert crowd.apologies_after(when["over"]) == []
    assert_nothing_lost_or_doubled(faults, crowd)
    assert_back_by_itself(faults)


def test_postgres_stopped_for_ten_seconds_under_load(faults: Faults) -> None:
    crowd, when = faults.crowd(8), {}

    def outage() -> None:
        stop_server(faults.postgres)
        time.sleep(10)
        start_server(faults.postgres)

    crowd.converse(after(1.5, outage, when))
    assert crowd.unanswered() == []
    assert [e for e in crowd.exchanges if e.apology]  # the outage was felt, and answered
    assert_apologies_in_their_language(crowd)
    assert_nothing_lost_or_doubled(faults, crowd)
    assert_back_by_itself(faults)


def _group(pid: int) -> list[int]:
    """Every live process in the process group `pid` leads (the action server and its worker)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(") ", 1)[1].split()
            if int(fields[2]) == pid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("whole_group", [True, False], ids=["server", "main-process-only"])
def test_the_action_server_killed_mid_conversation_comes_back_by_itself(
    faults: Faults, whole_group: bool
) -> None:
    supervisor, crowd, when = faults.stack.supervisor, faults.crowd(6), {}
    restarts, killed = supervisor.restarts("actions"), []

    def kill() -> None:
        killed.extend(_group(supervisor.pid("actions")))
        supervisor.kill("actions", group=whole_group)

    crowd.converse(after(1.5, kill, when))
    assert len(killed) >= 2  # Sanic's main process and its worker
    assert crowd.unanswered() == []
    assert [e for e in crowd.exchanges if e.apology]  # Rasa said so while it was down
    assert supervisor.restarts("actions") == restarts + 1
    assert [pid for pid in killed if _alive(pid)] == []  # the orphaned worker too
    assert_nothing_lost_or_doubled(faults, crowd)
    assert_back_by_itself(faults)


def test_redis_restarted_under_two_rasa_servers(faults: Faults) -> None:
    crowd, when = faults.crowd(6), {}  # every customer's messages alternate between the servers
    crowd.converse(after(1.5, faults.redis.restart, when))
    assert crowd.unanswered() == []
    assert crowd.apologies_after(when["over"]) == []  # the lock store reconnects by itself
    assert_nothing_lost_or_doubled(faults, crowd)


def _inbox(faults: Faults) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{faults.stack.url('desk')}/inbox/api/cases", timeout=10) as r:
        return json.loads(r.read())


def _card_for(slack: SlackStandIn, ref: str) -> Any:
    for posted in list(slack.messages.values()):
        if posted.thread_ts is None and ref in json.dumps(posted.blocks or []):
            return posted
    return None


def test_a_hand_over_while_slack_fails_reaches_the_agents_once_slack_is_back(
    faults: Faults,
) -> None:
    slack = faults.slack
    customer = SimulatedCustomer(faults.servers)
    ref = hashlib.sha256(customer.sender.encode()).hexdigest()[:16]
    slack.outage(503)
    try:
        customer.says("I want to speak to a human", "pass you to a colleague")
        assert customer.exchanges[-1].seconds < 5
        # Meanwhile the case is in the local inbox, saying why.
        _eventually(lambda: any(ref in c["case_id"] for c in _inbox(faults)))
        [waiting] = [c for c in _inbox(faults) if ref in c["case_id"]]
        assert waiting["note"].startswith("Not in Slack yet: Slack answered http_503")
        calls = len(slack.calls_to("chat.postMessage"))
        slack.outage(429, retry_after=3)  # then Slack limits us for a while
        _eventually(lambda: len(slack.calls_to("chat.postMessage")) > calls, timeout=30)
        assert _card_for(slack, ref) is None
    finally:
        slack.recover()
    _eventually(lambda: _card_for(slack, ref) is not None, timeout=60)
    card = _card_for(slack, ref)
    [note] = slack.thread(card.channel, card.ts)
    assert "while Slack could not be reached" in (note.text or json.dumps(note.blocks))
    notices = [m for m in slack.messages.values() if "Slack is reachable again" in (m.text or "")]
    assert len(notices) == 1
    assert not any(ref in c["case_id"] for c in _inbox(faults))  # in Slack now, not the inbox
    cards = [
        m
        for m in slack.messages.values()
        if m.thread_ts is None and ref in json.dumps(m.blocks or [])
    ]
    assert len(cards) == 1  # posted once


def test_a_carrier_that_does_not_answer_is_told_within_seconds(faults: Faults) -> None:
    customer = SimulatedCustomer(faults.servers)
    customer.says("my parcel is late, order 100309", "postcode")
    told = customer.says("1011 AB", "aren't answering right now")
    assert "PostNL" in told
    assert customer.exchanges[-1].seconds < 10  # the lookup's deadline, not 3 x 5 s of retries
    assert_back_by_itself(faults)


def _heard(faults: Faults, sender: str) -> str:
    """Bot messages outside the customer's own turns, as the web chat fetches them."""
    url = f"{faults.stack.url('desk')}/chat/{sender}/messages"
    with urllib.request.urlopen(url, timeout=10) as response:
        return "\n".join(m.get("text") or "" for m in json.loads(response.read())["messages"])


def test_an_agents_message_while_the_action_server_is_down_reaches_the_customer_later(
    faults: Faults,
) -> None:
    customer = SimulatedCustomer(faults.servers)
    ref = hashlib.sha256(customer.sender.encode()).hexdigest()[:16]
    customer.says("I want to speak to a human", "pass you to a colleague")
    _eventually(lambda: _card_for(faults.slack, ref) is not None)
    case_id = next(  # the case id the card's buttons carry
        str(e["value"]).split("|")[0]
        for block in _card_for(faults.slack, ref).blocks
        for e in block.get("elements") or []
        if e.get("type") == "button"
    )
    faults.stack.supervisor.kill("actions")  # Rasa cannot run the action that tells it
    body = json.dumps({"action_id": "herstel_write", "user_id": "U-AGENT",
                       "text": "I'm looking into it now."}).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{faults.stack.url('desk')}/inbox/api/cases/{case_id}/act",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["done"]
    _eventually(lambda: "I'm looking into it now." in _heard(faults, customer.sender), timeout=60)
    assert _heard(faults, customer.sender).count("I'm looking into it now.") == 1
    desk_log = (faults.stack.log_dir / "desk.log").read_text()
    assert "could not be told (EXTERNAL_agent_message) yet" in desk_log  # it did wait

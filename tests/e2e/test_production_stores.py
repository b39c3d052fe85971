"""The production set-up end to end: two Rasa servers share conversations through a
PostgreSQL tracker store and a Redis lock store; the journey store is PostgreSQL too.

Nothing here uses the session's SQLite stack: this module starts its own, with real
PostgreSQL and Redis servers on loopback.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import Ports, Stack, free_port
from herstel.model import ensure_model
from herstel.settings import ROOT, Settings
from tests.support.demo_world import fresh_order
from tests.support.fixtures import drop_postgres_database, fresh_postgres_database
from tests.support.postgres import PostgresServer
from tests.support.redis import RedisServer
from tests.support.whatsapp_customer import WhatsAppCustomer, text_of, webhook_body
from tests.support.whatsapp_standin import GraphStandIn, standin_env

pytestmark = pytest.mark.e2e

LATE_LAPTOP = "Hoi, mijn laptop zou voor 12 uur komen en hij is er nog steeds niet"
CODE = re.compile(r"je code is (HRST-\w{4}-\w{4})")


@dataclass
class Production:
    stack: Stack
    servers: tuple[str, str]  # two Rasa servers, same model, same stores
    tracker_dsn: str  # Rasa's tracker store (asyncpg DSN)
    journey_dsn: str  # the journey store (asyncpg DSN)
    redis: RedisServer  # Rasa's lock store, and the WhatsApp channel's memory
    graph: GraphStandIn  # where both servers send WhatsApp messages

    def lock_key(self, sender: str) -> str:
        return f"lock:{sender}"  # RedisLockStore's default key prefix


@pytest.fixture(scope="module")
def production(
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Production]:
    var_dir = tmp_path_factory.mktemp("var-production")
    model = ensure_model(ROOT)
    tracker_url = asyncio.run(fresh_postgres_database(postgres_server))
    journey_url = asyncio.run(fresh_postgres_database(postgres_server))
    asyncio.run(prepare(Settings(var_dir=var_dir, database_url=journey_url), SystemClock()))
    env = {
        "HERSTEL_TRACKER_DIALECT": "postgresql",
        "HERSTEL_TRACKER_HOST": f"{postgres_server.host}:{postgres_server.port}",
        "HERSTEL_TRACKER_DB": _database(tracker_url),
        "HERSTEL_TRACKER_USER": postgres_server.user,
        "HERSTEL_TRACKER_PASSWORD": "",
        # Rasa's own RedisLockStore is not atomic across servers (bot/lock_store.py).
        "HERSTEL_LOCK_STORE": "bot.lock_store.AtomicRedisLockStore",
        "HERSTEL_LOCK_STORE_HOST": redis_server.host,
        "HERSTEL_LOCK_STORE_PORT": str(redis_server.port),
        "HERSTEL_DATABASE_URL": journey_url,
        **standin_env(),
    }
    graph = GraphStandIn.from_env(env).start()
    try:
        with Stack(Ports.free(), var_dir=var_dir, model=model, extra_env=env) as stack:
            # Started after the first has created the tracker tables: no race on CREATE TABLE.
            second = stack.start_rasa(free_port())
            yield Production(
                stack,
                (stack.url("rasa"), second),
                postgres_server.dsn(_database(tracker_url)),
                postgres_server.dsn(_database(journey_url)),
                redis_server,
                graph,
            )
    finally:
        graph.stop()
        for url in (tracker_url, journey_url):
            asyncio.run(drop_postgres_database(postgres_server, url))


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def say(server: str, sender: str, text: str) -> list[str]:
    """One message over the REST channel of the given Rasa server; the bot's texts."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{server}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=90) as response:
        return [m.get("text", "") for m in json.loads(response.read())]


def fetch(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def tracker_events(production: Production, sender: str) -> list[dict[str, Any]]:
    """The conversation as Rasa's SQL tracker store wrote it to PostgreSQL, in order."""
    rows = fetch(
        production.tracker_dsn,
        "SELECT data FROM events WHERE sender_id = $1 ORDER BY id",
        sender,
    )
    return [json.loads(row["data"]) for row in rows]


def api_tracker_size(production: Production, server: str, sender: str) -> int:
    token = production.stack.rasa_token
    url = f"{server}/conversations/{sender}/tracker?include_events=ALL&token={token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return len(json.loads(response.read())["events"])


def turns(events: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Split the events into (user text, the events up to the next user message)."""
    split: list[tuple[str, list[dict[str, Any]]]] = []
    for event in events:
        if event["event"] == "user":
            split.append((event["text"], []))
        elif split:
            split[-1][1].append(event)
    return split


def test_a_dutch_late_laptop_conversation_alternates_between_two_rasa_servers(
    production: Production,
) -> None:
    sender = f"prod-{uuid.uuid4().hex[:12]}"
    a, b = production.servers
    number = fresh_order(production.stack.var_dir, "100482")
    script = [
        (a, LATE_LAPTOP),
        (b, number),
        (a, "3512 JE"),
        (b, "ja graag"),
        (a, "8"),
        (b, "ja"),
    ]
    with production.redis.monitor() as redis_seen:
        replies = ["\n".join(say(server, sender, text)) for server, text in script]

    # Each server continues where the other left off: form state and slots are shared.
    assert "postcode" in replies[1]  # B knows A asked for the order and it came
    assert "tegoedbon van €10" in replies[2]  # A uses the order number B filled in
    assert "Zal ik dat regelen?" in replies[2]
    code = CODE.search(replies[3])
    assert code, replies[3]
    assert "welk cijfer geef je dit gesprek" in replies[3]
    assert "hoe makkelijk" in replies[4]  # A knows B asked for the grade
    assert "HRST-" not in replies[5]  # a late yes issues nothing more
    # (The survey's later steps are the dialogue tests' business, not the stores'.)

    # The voucher is in the PostgreSQL gesture ledger exactly once, and the moment with it.
    ledger = fetch(
        production.journey_dsn,
        "SELECT state, amount_minor FROM gesture_ledger WHERE result_ref = $1",
        code.group(1),
    )
    assert [(r["state"], r["amount_minor"]) for r in ledger] == [("issued", 1000)]
    moments = fetch(
        production.journey_dsn,
        "SELECT language, csat FROM recovery_moments WHERE gestures LIKE $1",
        f"%{code.group(1)}%",
    )
    assert [(m["language"], m["csat"]) for m in moments] == [("nl", 8)]
    # Nothing fell back to the embedded SQLite stores.
    var_dir: Path = production.stack.var_dir
    assert not (var_dir / "herstel.db").exists()
    assert not (var_dir / "rasa-tracker.db").exists()

    # Rasa's tracker is in PostgreSQL: every message once, in order, with the slots.
    events = tracker_events(production, sender)
    assert [text for text, _ in turns(events)] == [text for _, text in script]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots.get("order_number") == number
    assert any(code.group(1) in (e.get("text") or "") for e in events if e["event"] == "bot")
    # Both servers read that same tracker.
    assert {api_tracker_size(production, s, sender) for s in (a, b)} == {len(events)}

    # Every turn took and released the conversation's lock in Redis (set, then deleted
    # when nobody waits); the in-memory lock store would leave Redis untouched.
    commands = redis_seen.commands_on(production.lock_key(sender))
    assert commands.count("SET") >= len(script), commands
    assert commands.count("DEL") >= len(script), commands


def assert_turns_did_not_interleave(
    events: list[dict[str, Any]], replies: dict[str, list[str]]
) -> None:
    """Every message once, each followed by exactly the answers its request got and closed
    by action_listen: the turns ran one after the other, not into each other."""
    recorded = turns(events)
    assert sorted(text for text, _ in recorded) == sorted(replies)
    for text, after in recorded:
        said = [e.get("text") or "" for e in after if e["event"] == "bot"]
        assert said == replies[text], (text, said, replies[text])
        assert after[-1]["event"] == "action" and after[-1]["name"] == "action_listen", text


def most_tickets(calls: list[tuple[str, str]]) -> int:
    """The most tickets a saved lock held: 2 means one request waited for another."""
    # The lock is JSON holding tickets as JSON strings, escaped twice in MONITOR's line;
    # "number" appears once per ticket and nowhere else.
    return max((value.count("number") for name, value in calls if name == "SET"), default=0)


def test_a_message_to_server_b_while_server_a_answers_waits_for_it_in_the_redis_lock(
    production: Production,
) -> None:
    """The customer sends again while the previous message is still being answered (a
    double tap, a second device), and the load balancer picks the other server."""
    sender = f"prod-{uuid.uuid4().hex[:12]}"
    a, b = production.servers
    key = production.lock_key(sender)
    number = fresh_order(production.stack.var_dir, "100482")
    rounds = [(LATE_LAPTOP, number), ("3512 JE", "ja graag")]
    replies: dict[str, list[str]] = {}
    overlapped = 0
    with production.redis.monitor() as redis_seen:
        for first, second in rounds:
            answer_a = threading.Thread(
                target=lambda text=first: replies.__setitem__(text, say(a, sender, text))
            )
            answer_a.start()
            # Rasa holds the conversation's lock (db 1 by default) for A's whole turn.
            while answer_a.is_alive() and not production.redis.command("EXISTS", key, db=1):
                time.sleep(0.002)
            overlapped += answer_a.is_alive()
            replies[second] = say(b, sender, second)
            answer_a.join(timeout=120)

    assert overlapped == len(rounds), "A answered before B's message left"
    assert most_tickets(redis_seen.calls_on(key)) >= 2, redis_seen.calls_on(key)
    # B answered each time from the state A's turn left behind.
    assert "postcode" in "\n".join(replies[number])
    assert CODE.search("\n".join(replies["ja graag"])), replies["ja graag"]
    assert_turns_did_not_interleave(tracker_events(production, sender), replies)


def test_messages_reaching_both_servers_in_the_same_instant_are_handled_one_at_a_time(
    production: Production,
) -> None:
    sender = f"prod-{uuid.uuid4().hex[:12]}"
    a, b = production.servers
    number = fresh_order(production.stack.var_dir, "100482")
    rounds = [
        (LATE_LAPTOP, f"het gaat om bestelling {number}"),
        ("3512 JE", "hallo? is daar iemand?"),
        ("ja graag", "waar blijft mijn pakket"),
    ]
    replies: dict[str, list[str]] = {}
    for pair in rounds:
        start = threading.Barrier(2)  # both requests leave together

        def send(server: str, text: str, start: threading.Barrier = start) -> None:
            start.wait()
            replies[text] = say(server, sender, text)

        threads = [
            threading.Thread(target=send, args=(server, text))
            for server, text in zip((a, b), pair, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert sorted(replies) == sorted(text for pair in rounds for text in pair)
    assert_turns_did_not_interleave(tracker_events(production, sender), replies)


def test_whatsapp_retries_and_numbered_replies_may_reach_the_other_server(
    production: Production,
) -> None:
    a, b = production.servers
    wa_id = "3162" + uuid.uuid4().hex[:7].translate(str.maketrans("abcdef", "123456"))
    customer = WhatsAppCustomer(production.stack, production.graph, wa_id, server=a)
    first = webhook_body(wa_id, {"type": "text", "text": {"body": LATE_LAPTOP}})
    assert customer.post(first).status == 200
    answered = production.graph.wait_for(wa_id, 1)
    customer.server = b  # Meta retries the same message, and the balancer picks B
    assert customer.post(first).status == 200
    time.sleep(1.5)
    assert production.graph.messages_to(wa_id) == answered
    assert [t for t, _ in turns(tracker_events(production, wa_id))] == [LATE_LAPTOP]

    customer.server = a
    customer.says(fresh_order(production.stack.var_dir, "100482"))
    production.graph.refuse_interactive = True  # the offer goes out as numbered text
    try:
        offer = customer.says("3512 JE")
    finally:
        production.graph.refuse_interactive = False
    assert offer[-1]["type"] == "text" and "\n1. " in offer[-1]["text"]["body"]
    customer.server = b
    assert CODE.search(text_of(customer.says("1"))), "B did not know what '1' stood for"

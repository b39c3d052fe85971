"""The real thing: Rasa server, action server, desk and carrier simulator on free loopback ports."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import Ports, Stack, free_port
from herstel.model import ensure_model
from herstel.settings import ROOT, Settings
from tests.support.browser import browser, page  # noqa: F401  (fixtures for the browser tests)
from tests.support.demo_world import fresh_order
from tests.support.slack_standin import CHANNEL_ID, SlackStandIn
from tests.support.threaded import BackgroundServer
from tests.support.whatsapp_standin import UPDATE_TEMPLATE, standin_env

SIGNING_SECRET = "e2e-signing-secret"
AGENTS = "U-AGENT:Anna=agent,U-LEAD:Lars=lead"


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackStandIn]:
    """A local Slack Web API the desk and action server post cards to."""
    standin = SlackStandIn()
    server = BackgroundServer(standin.app, free_port()).start()
    standin.base_url = f"http://127.0.0.1:{server.port}/api/"
    yield standin
    server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, slack: SlackStandIn) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("var")
    model = ensure_model(ROOT)
    asyncio.run(prepare(Settings(var_dir=var_dir), SystemClock()))
    # A short carrier timeout keeps the "slow carrier" conversation quick.
    env = {"HERSTEL_CARRIER_TIMEOUT_SECONDS": "1"}
    # NPS is a sample of cases; the conversations here assert the survey's end after CES.
    env["HERSTEL_NPS_PERCENT"] = "0"
    # WhatsApp configured against a local Graph API stand-in (tests/e2e/test_whatsapp.py).
    env.update(standin_env(), HERSTEL_WHATSAPP_UPDATE_TEMPLATE=UPDATE_TEMPLATE)
    # Escalations go to the Slack stand-in (tests/e2e/test_escalation.py).
    env.update(
        HERSTEL_SLACK_BOT_TOKEN=slack.token,
        HERSTEL_SLACK_SIGNING_SECRET=SIGNING_SECRET,
        HERSTEL_SLACK_CHANNEL=CHANNEL_ID,
        HERSTEL_SLACK_API_URL=slack.base_url,
        HERSTEL_AGENTS=AGENTS,
    )
    with Stack(Ports.free(), var_dir=var_dir, model=model, extra_env=env) as running:
        yield running


@dataclass
class Customer:
    """One customer's conversation over the REST channel."""

    stack: Stack
    sender: str

    def says(self, text: str) -> str:
        """Send one message; the bot's replies, one per line."""
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.stack.url('rasa')}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return "\n".join(m.get("text", "") for m in json.loads(response.read()))

    @property
    def ref(self) -> str:
        """The conversation's pseudonym, as case ids and cards carry it."""
        return hashlib.sha256(self.sender.encode()).hexdigest()[:16]

    def hears(self, expect: str, timeout: float = 30) -> str:
        """Bot messages the web chat fetches from the desk (those outside the customer's own
        turns, such as an agent's decision), once one contains `expect`."""
        url = f"{self.stack.url('desk')}/chat/{self.sender}/messages"
        deadline = time.monotonic() + timeout
        texts = ""
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url, timeout=10) as response:
                messages = json.loads(response.read())["messages"]
            texts = "\n".join(m.get("text") or "" for m in messages)
            if expect in texts:
                return texts
            time.sleep(0.2)
        raise AssertionError(f"{expect!r} never reached the customer; they saw:\n{texts}")


@pytest.fixture
def customer(stack: Stack) -> Customer:
    return Customer(stack, f"test-{uuid.uuid4().hex[:12]}")


@dataclass
class Orders:
    """Copies of the demo orders, one failure per test (tests/support/demo_world.py)."""

    stack: Stack

    def like(self, demo_order: str) -> str:
        return fresh_order(self.stack.var_dir, demo_order)


@pytest.fixture
def orders(stack: Stack) -> Orders:
    return Orders(stack)

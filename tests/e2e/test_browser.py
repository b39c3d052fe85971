"""The desk's two web pages in a real browser: the customer's web chat and the agent inbox.

Debian's Chromium (installed by scripts/services.sh) driven by Playwright; Playwright's own
browser builds are never downloaded. The pages talk to the real stack: the web chat posts
to Rasa's REST channel, the inbox acts through the desk exactly as a Slack click would.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    Dialog,
    Locator,
    Page,
    expect,
)

from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import Ports, Stack
from herstel.model import ensure_model
from herstel.settings import ROOT, Settings
from tests.e2e.conftest import AGENTS, Customer, Orders
from tests.support.browser import Console, open_page
from tests.support.demo_world import fresh_order

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat_page(browser: Browser) -> Iterator[Page]:
    """A customer's web chat next to the agent's inbox page."""
    opened = open_page(browser)
    yield opened
    opened.context.close()


def say(page: Page, text: str) -> None:
    page.get_by_placeholder(re.compile("Type a message")).fill(text)
    page.get_by_role("button", name="Send").click()


def bubbles_match_the_conversation(page: Page, stack: Stack) -> None:
    """Every bot message of the conversation on screen exactly once, in order."""
    sender = page.evaluate("sessionStorage.getItem('herstel-sender')")
    url = f"{stack.url('desk')}/chat/{sender}/messages"
    with urllib.request.urlopen(url, timeout=10) as response:
        messages = json.loads(response.read())["messages"]
    said = [m["text"].strip() for m in messages if m.get("text")]
    shown = [t.strip() for t in page.locator(".msg--bot").all_inner_texts()]
    assert shown == said


# --- the web chat -------------------------------------------------------------------------


def test_a_dutch_customer_gets_a_voucher_through_the_web_chat(
    stack: Stack, page: Page, tmp_path: Path, orders: Orders
):
    console = Console(page)
    page.goto(f"{stack.url('desk')}/")
    bot = page.locator(".msg--bot")

    say(page, "mijn pakket is nog steeds niet binnen")
    expect(page.locator(".msg--user")).to_have_text(["mijn pakket is nog steeds niet binnen"])
    expect(bot.last).to_contain_text("ordernummer")
    say(page, orders.like("100482"))
    expect(bot.last).to_contain_text("postcode")
    say(page, "3512 JE")
    expect(bot.filter(has_text="Ik heb het bij PostNL nagevraagd")).to_have_count(1)
    expect(bot.filter(has_text="tegoedbon van €10")).to_have_count(1)
    offer = page.locator(".buttons").last
    expect(offer.get_by_role("button")).to_have_text(["Ja, graag", "Nee, dank je"])

    offer.get_by_role("button", name="Ja, graag").click()
    expect(offer.get_by_role("button", name="Ja, graag")).to_be_disabled()  # no second yes
    expect(page.locator(".msg--user").last).to_have_text("Ja, graag")  # the title, not /affirm
    expect(bot.filter(has_text=re.compile(r"je code is HRST-\w{4}-\w{4}"))).to_have_count(1)
    expect(bot.last).to_contain_text("welk cijfer")

    # Two polls of the desk: what the turns already showed must not appear a second time.
    page.wait_for_timeout(6_500)
    bubbles_match_the_conversation(page, stack)
    page.screenshot(path=tmp_path / "webchat.png", full_page=True)
    assert console.errors == []


# --- the agent inbox ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A second stack, without Slack: escalations go to the desk's local inbox."""
    var_dir = tmp_path_factory.mktemp("var-inbox")
    model = ensure_model(ROOT)
    asyncio.run(prepare(Settings(var_dir=var_dir), SystemClock()))
    # HERSTEL_* variables of the environment pass through to the processes: empty the Slack
    # ones explicitly, or a developer's token would switch the inbox off.
    env = {
        "HERSTEL_SLACK_BOT_TOKEN": "",
        "HERSTEL_SLACK_SIGNING_SECRET": "",
        "HERSTEL_SLACK_CHANNEL": "",
        "HERSTEL_AGENTS": AGENTS,
    }
    with Stack(Ports.free(), var_dir=var_dir, model=model, extra_env=env) as running:
        yield running


@pytest.fixture
def inbox_customer(inbox_stack: Stack) -> Customer:
    return Customer(inbox_stack, f"inbox-{uuid.uuid4().hex[:12]}")


def open_inbox(page: Page, customer: Customer, order: str | None = None) -> Locator:
    """The inbox, acting as Anna; the card of this customer's case (once verified, the case
    of the order's failure, whatever the conversation)."""
    page.goto(f"{customer.stack.url('desk')}/inbox")
    page.get_by_label("Acting as").select_option(label="Anna (agent)")
    # The page refreshes every 3 s; the case appears without a reload.
    which = f'^="{order}:"' if order else f'$="{customer.ref}"'
    card = page.locator(f"article.case[data-case-id{which}]")
    expect(card).to_have_count(1, timeout=20_000)
    return card


def test_an_agent_grants_a_suggestion_in_the_inbox_and_the_customer_hears_it(
    inbox_stack: Stack, inbox_customer: Customer, page: Page, tmp_path: Path
):
    number = fresh_order(inbox_stack.var_dir, "100303")
    inbox_customer.says("my parcel says delivered but I never got it")
    inbox_customer.says(number)
    assert "colleague" in inbox_customer.says("9711 LM")

    console = Console(page)
    confirms: list[str] = []

    def confirm(dialog: Dialog) -> None:
        confirms.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    card = open_inbox(page, inbox_customer, number)
    expect(card.locator("h2")).to_contain_text(number)
    expect(card).to_contain_text(":missing_item:")  # the case id as it is, marks not eaten
    expect(card).to_contain_text("Suggested actions")
    expect(card).to_have_attribute("data-status", "open")
    replacement = card.get_by_role("button", name=re.compile(r"^Replacement"))
    expect(replacement).to_have_count(1)
    expect(card.get_by_role("button", name=re.compile(r"^Full refund"))).to_have_count(1)
    page.screenshot(path=tmp_path / "inbox-open.png", full_page=True)

    replacement.click()
    expect(page.locator("#note")).to_contain_text("Done: replacement")
    assert confirms and "Grant this gesture?" in confirms[0]
    expect(card).to_have_attribute("data-status", "resolved")
    expect(card).to_contain_text("Outcome")
    expect(card.get_by_role("button")).to_have_count(0)  # nothing stale stays clickable

    texts = inbox_customer.hears("My colleague has looked at your case")
    assert "hiking boots is on its way to you" in texts
    page.screenshot(path=tmp_path / "inbox-resolved.png", full_page=True)
    assert console.errors == []


def test_an_agent_closes_a_case_without_a_gesture_in_the_inbox_with_a_reason(
    inbox_stack: Stack, inbox_customer: Customer, page: Page
):
    number = fresh_order(inbox_stack.var_dir, "100303")
    inbox_customer.says("my parcel says delivered but I never got it")
    inbox_customer.says(number)
    assert "colleague" in inbox_customer.says("9711 LM")
    console = Console(page)
    card = open_inbox(page, inbox_customer, number)
    card.get_by_role("button", name="Close without a gesture").click()
    box = card.get_by_label(re.compile("closed without a gesture"))
    expect(box).to_be_visible()
    box.fill("The neighbours had the parcel")
    card.get_by_role("button", name="Close the case").click()
    expect(page.locator("#note")).to_contain_text("closed without a gesture")
    expect(card).to_have_attribute("data-status", "resolved")
    expect(card).to_contain_text("The neighbours had the parcel")
    texts = inbox_customer.hears("closed your case without a further gesture")
    assert "1 to 10" in texts
    assert console.errors == []


def test_an_agent_writes_from_the_inbox_and_the_web_chat_shows_it(
    inbox_stack: Stack, chat_page: Page, page: Page
):
    # The customer in the web chat; the agent's message reaches it by the page's polling.
    chat_console = Console(chat_page)
    chat_page.goto(f"{inbox_stack.url('desk')}/")
    say(chat_page, "I want to speak to a human")
    expect(chat_page.locator(".msg--bot").last).to_contain_text("colleague")
    customer = Customer(inbox_stack, chat_page.evaluate("sessionStorage.getItem('herstel-sender')"))

    console = Console(page)
    card = open_inbox(page, customer)
    card.get_by_role("button", name="Write to customer").click()
    box = card.get_by_label(re.compile("Message to the customer"))
    expect(box).to_be_visible()
    page.wait_for_timeout(3_500)  # a refresh while the writer is open keeps it open
    expect(box).to_be_visible()
    reply = f"Hi, this is Anna. I'm looking at your order now ({uuid.uuid4().hex[:6]})."
    box.fill(reply)
    card.get_by_role("button", name="Send to customer").click()

    expect(page.locator("#note")).to_have_text("Sent to the customer.")
    expect(box).to_have_count(0)  # the writer closes once sent
    expect(card.locator(".thread")).to_contain_text(reply)
    customer.hears(reply)
    expect(chat_page.locator(".msg--bot").filter(has_text=reply)).to_have_count(1)
    chat_page.wait_for_timeout(3_500)  # one more poll shows nothing twice
    bubbles_match_the_conversation(chat_page, inbox_stack)
    assert console.errors == [] and chat_console.errors == []

"""A case the bot may not settle travels to a Slack card and back to the customer.

The real Rasa server, action server and desk; Slack is the local stand-in (tests/support/
slack_standin.py); clicks arrive signed exactly as Slack signs them.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from escalation.model import WRITE_BLOCK, WRITE_INPUT, WRITE_MODAL, Act
from escalation.signing import sign_slack_request
from herstel.launcher import Stack
from herstel.settings import Settings
from journeys.db import create_engine_for
from journeys.moments import MomentStore
from tests.e2e.conftest import SIGNING_SECRET, Customer, Orders
from tests.support.slack_standin import SlackStandIn

pytestmark = pytest.mark.e2e


def card_for(
    slack: SlackStandIn, customer: Customer, order: str | None = None, timeout: float = 20
) -> tuple[Any, str]:
    """The case card posted for this conversation (or, once verified, for this order's
    failure: its case is the order's, whatever the conversation), and its case id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for posted in list(slack.messages.values()):
            case_id = _case_id(posted.blocks or [])
            if posted.thread_ts is None and case_id and _is_for(case_id, customer, order):
                return posted, case_id
        time.sleep(0.1)
    raise AssertionError("no card was posted for this conversation")


def _is_for(case_id: str, customer: Customer, order: str | None) -> bool:
    return case_id.startswith(f"{order}:") if order else case_id.endswith(customer.ref)


def _buttons(blocks: list[dict]) -> list[dict]:
    found = []
    for block in blocks:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.append(element)
    return found


def _case_id(blocks: list[dict]) -> str | None:
    return next((str(b["value"]).split("|")[0] for b in _buttons(blocks)), None)


def buttons(blocks: list[dict]) -> dict[str, str]:
    """action_id (grant buttons: the offer key) -> value."""
    found = {}
    for button in _buttons(blocks):
        value = str(button["value"])
        found[value.split("|")[1] if "|" in value else button["action_id"]] = value
    return found


def click(stack: Stack, payload: dict[str, Any], secret: str = SIGNING_SECRET) -> int:
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{stack.url('desk')}/slack/interactivity",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign_slack_request(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def button_click(user: str, action: Act, value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower()},
        "trigger_id": "1234.5678.abcd",
        "actions": [{"type": "button", "action_id": action.value, "value": value}],
    }


def modal_submission(user: str, case_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": user, "username": user.lower()},
        "view": {
            "callback_id": WRITE_MODAL,
            "private_metadata": case_id,
            "state": {"values": {WRITE_BLOCK: {WRITE_INPUT: {"value": text}}}},
        },
    }


def moments(stack: Stack) -> list[dict]:
    async def read() -> list[dict]:
        engine = create_engine_for(Settings(var_dir=stack.var_dir).journey_db_url)
        try:
            return [m async for m in MomentStore(engine).export()]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_an_agent_approves_on_the_card_and_the_customer_hears_it_once(
    stack: Stack, slack: SlackStandIn, customer: Customer, orders: Orders
):
    customer.says("my parcel says delivered but I never got it")
    number = orders.like("100303")
    customer.says(number)
    told = customer.says("9711 LM")
    assert "colleague" in told and "minutes" in told

    card, case_id = card_for(slack, customer, number)
    controls = buttons(card.blocks)
    assert "replacement:1" in controls and "full_refund:2" in controls
    card_text = json.dumps(card.blocks)
    assert "within an agent" in card_text.lower() and number in card_text

    grant = button_click("U-AGENT", Act.GRANT, controls["replacement:1"])
    assert click(stack, grant) == 200
    assert click(stack, grant) == 200  # Slack's retry, or a double click
    texts = customer.hears("My colleague has looked at your case")
    assert "hiking boots is on its way to you" in texts and "1 to 10" in texts

    time.sleep(1)  # let a second decision, if one were wrongly made, arrive
    texts = customer.hears("My colleague has looked at your case")
    assert texts.count("My colleague has looked at your case") == 1
    [moment] = [m for m in moments(stack) if m["case_id"] == case_id]
    assert (moment["decided_by"], moment["agent_id"]) == ("agent", "U-AGENT")
    assert [g["kind"] for g in moment["gestures"]] == ["replacement"]
    assert moment["customer_turns"] == 3 and moment["seconds_to_resolution"] > 0

    final = slack.messages[(card.channel, card.ts)]
    assert final.updates >= 1
    assert _buttons(final.blocks) == []  # nothing stale stays clickable
    assert "how easy" in customer.says("8")  # the survey goes on in the same conversation


def test_a_lead_approves_in_dutch_and_the_customer_hears_it_in_dutch(
    stack: Stack, slack: SlackStandIn, customer: Customer, orders: Orders
):
    customer.says("volgens de bezorger is mijn pakket bezorgd maar ik heb niks ontvangen")
    number = orders.like("100303")
    customer.says(number)
    assert "collega" in customer.says("9711 LM")
    card, _ = card_for(slack, customer, number)
    refund = button_click("U-LEAD", Act.GRANT, buttons(card.blocks)["full_refund:2"])
    assert click(stack, refund) == 200
    texts = customer.hears("Mijn collega heeft naar je zaak gekeken")
    assert "€159" in texts and "welk cijfer" in texts


def test_an_agent_takes_over_in_dutch_and_hands_back(
    stack: Stack, slack: SlackStandIn, customer: Customer
):
    told = customer.says("ik wil een medewerker spreken")
    assert "collega" in told
    card, case_id = card_for(slack, customer)
    assert click(stack, button_click("U-AGENT", Act.TAKE_OVER, case_id)) == 200
    customer.hears("Anna van onze klantenservice is er nu voor je")

    assert customer.says("hallo, is daar iemand?") == ""  # the bot stays silent
    deadline = time.monotonic() + 10
    while not slack.thread(card.channel, card.ts) and time.monotonic() < deadline:
        time.sleep(0.1)
    [relayed] = slack.thread(card.channel, card.ts)
    assert "is daar iemand" in (relayed.text or "")

    reply = "Hoi! Ik kijk even met je mee."
    assert click(stack, modal_submission("U-AGENT", case_id, reply)) == 200
    customer.hears(reply)
    assert click(stack, button_click("U-AGENT", Act.HAND_BACK, case_id)) == 200
    customer.hears("Je bent weer bij mij")
    assert customer.says("hallo") != ""  # the bot answers again


def test_a_forged_click_is_refused_and_changes_nothing(
    stack: Stack, slack: SlackStandIn, customer: Customer
):
    customer.says("I want to speak to a human")
    card, case_id = card_for(slack, customer)
    take = button_click("U-AGENT", Act.TAKE_OVER, case_id)
    assert click(stack, take, secret="not-the-secret") == 401
    time.sleep(1)
    assert slack.messages[(card.channel, card.ts)].updates == 0
    assert customer.says("hello?") != ""  # nobody took over: the bot still answers

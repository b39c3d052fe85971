"""WhatsApp conversations: signed Cloud API webhooks into the real Rasa server, replies out
to a local stand-in of the Graph API (tests/support/whatsapp_standin.py)."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from bot.connectors.whatsapp_format import signature_for
from escalation.model import Act
from herstel.launcher import Stack
from tests.e2e.conftest import Customer, Orders
from tests.e2e.test_escalation import button_click, buttons, card_for, click
from tests.support.slack_standin import SlackStandIn
from tests.support.whatsapp_customer import (
    Answer,
    WhatsAppCustomer,
    open_request,
    text_of,
    webhook_body,
)
from tests.support.whatsapp_standin import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    UPDATE_TEMPLATE,
    VERIFY_TOKEN,
    GraphStandIn,
)

pytestmark = pytest.mark.e2e

QUIET_SECONDS = 1.5  # how long to watch for a reply that must not come


@pytest.fixture(scope="module")
def graph(stack: Stack) -> Iterator[GraphStandIn]:
    standin = GraphStandIn.from_env(stack.extra_env).start()
    yield standin
    standin.stop()


@pytest.fixture
def whatsapp(stack: Stack, graph: GraphStandIn) -> WhatsAppCustomer:
    return WhatsAppCustomer(stack, graph, "3161" + str(secrets.randbelow(10**7)).zfill(7))


def test_a_signed_dutch_complaint_is_answered_in_dutch_on_whatsapp(whatsapp):
    replies = whatsapp.says("mijn pakket is nog steeds niet binnen")
    assert all(m["type"] == "text" for m in replies)
    answer = text_of(replies)
    assert "Wat vervelend" in answer
    assert "ordernummer" in answer
    assert not whatsapp.graph.refused


def test_an_unsigned_or_tampered_webhook_is_refused_and_reaches_no_one(whatsapp):
    body = webhook_body(whatsapp.wa_id, {"type": "text", "text": {"body": "mijn pakket is kwijt"}})
    unsigned = whatsapp.post(body, signature=None)
    assert unsigned.status == 401
    assert "X-Hub-Signature-256" in unsigned.body["error"]
    tampered = body.replace(b"kwijt", b"stuk!")
    assert whatsapp.post(tampered, signature=signature_for(APP_SECRET, body)).status == 401
    wrong_secret = signature_for("not-the-app-secret", body)
    assert whatsapp.post(body, signature=wrong_secret).status == 401
    time.sleep(QUIET_SECONDS)
    assert whatsapp.graph.messages_to(whatsapp.wa_id) == []
    assert not [e for e in whatsapp.tracker_events() if e["event"] == "user"]


def test_a_retried_webhook_gets_no_second_answer(whatsapp):
    body = webhook_body(
        whatsapp.wa_id, {"type": "text", "text": {"body": "waar blijft mijn pakket"}}
    )
    assert whatsapp.post(body).status == 200
    first = whatsapp.graph.wait_for(whatsapp.wa_id, 1)
    assert whatsapp.post(body).status == 200  # Meta retries with the same message id
    time.sleep(QUIET_SECONDS)
    assert whatsapp.graph.messages_to(whatsapp.wa_id) == first
    assert len([e for e in whatsapp.tracker_events() if e["event"] == "user"]) == 1


def test_malformed_json_and_status_updates_change_nothing(whatsapp):
    assert whatsapp.post(b'{"object": "whatsapp_business_account", "entry": [').status == 400
    status_update = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                            "statuses": [
                                {"id": "wamid.x", "status": "read", "recipient_id": whatsapp.wa_id}
                            ],
                        },
                    }
                ],
            }
        ],
    }
    assert whatsapp.post(json.dumps(status_update).encode()).status == 200
    time.sleep(QUIET_SECONDS)
    assert whatsapp.graph.messages_to(whatsapp.wa_id) == []
    assert not [e for e in whatsapp.tracker_events() if e["event"] == "user"]


def test_metas_verification_handshake(whatsapp):
    def verify(token: str) -> Answer:
        query = urllib.parse.urlencode(
            {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
        )
        return open_request(urllib.request.Request(f"{whatsapp.webhook}?{query}"))

    assert verify(VERIFY_TOKEN) == Answer(200, 1158201444)  # the challenge, echoed as is
    assert verify("wrong-token").status == 403


def test_the_late_laptop_over_whatsapp_buttons_and_lists(whatsapp, orders):
    whatsapp.says("Hoi, mijn laptop zou voor 12 uur komen en hij is er nog steeds niet")
    whatsapp.says(orders.like("100482"))
    offer = whatsapp.says("3512 JE")
    assert "tegoedbon van €10" in text_of(offer)
    question = offer[-1]["interactive"]
    assert question["type"] == "button"
    assert question["body"]["text"] == "Zal ik dat regelen?"
    ids = [button["reply"]["id"] for button in question["action"]["buttons"]]
    assert ids == ["/affirm", "/deny"]

    done = text_of(whatsapp.taps("button_reply", "/affirm"))
    assert "je code is HRST-" in done
    assert "welk cijfer geef je dit gesprek" in done

    ces = whatsapp.says("8")[-1]["interactive"]
    assert ces["type"] == "list"
    assert "hoe makkelijk" in ces["body"]["text"]
    rows = ces["action"]["sections"][0]["rows"]
    assert [row["title"] for row in rows] == [str(n) for n in range(1, 8)]
    assert "Dank je wel" in text_of(whatsapp.taps("list_reply", rows[5]["id"]))
    assert not whatsapp.graph.refused


def test_when_the_api_refuses_a_list_numbered_options_work_instead(whatsapp, orders):
    whatsapp.says("Hoi, mijn laptop zou voor 12 uur komen en hij is er nog steeds niet")
    whatsapp.says(orders.like("100482"))
    whatsapp.says("3512 JE")
    whatsapp.taps("button_reply", "/affirm")
    whatsapp.graph.refuse_interactive = True
    try:
        numbered = whatsapp.says("7")[-1]
    finally:
        whatsapp.graph.refuse_interactive = False
    assert numbered["type"] == "text"
    assert "\n1. 1\n" in numbered["text"]["body"] and numbered["text"]["body"].endswith("7. 7")
    assert "Dank je wel" in text_of(whatsapp.says("6"))
    last_user_text = [e for e in whatsapp.tracker_events() if e["event"] == "user"][-1]["text"]
    assert last_user_text == '/give_rating{"rating": "6"}'  # the 6th option's payload


def happened_hours_ago(customer: WhatsAppCustomer, hours: float) -> None:
    """Move the whole conversation so far `hours` into the past, in Rasa's tracker store (the
    embedded SQLite one): as if the customer had last written that long ago."""
    shift = hours * 3600
    with sqlite3.connect(customer.stack.var_dir / "rasa-tracker.db") as db:
        rows = db.execute(
            "SELECT id, data FROM events WHERE sender_id = ?", (customer.wa_id,)
        ).fetchall()
        for row_id, data in rows:
            event = json.loads(data)
            event["timestamp"] -= shift
            db.execute(
                "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                (event["timestamp"], json.dumps(event), row_id),
            )
    assert rows


def test_a_decision_after_24_hours_goes_out_as_the_template_and_is_told_on_return(
    whatsapp: WhatsAppCustomer, slack: SlackStandIn, orders: Orders
):
    whatsapp.says("volgens de bezorger is mijn pakket bezorgd maar ik heb niks ontvangen")
    number = orders.like("100303")
    whatsapp.says(number)
    assert "collega" in text_of(whatsapp.says("9711 LM"))
    happened_hours_ago(whatsapp, 25)
    card, _ = card_for(slack, Customer(whatsapp.stack, whatsapp.wa_id), number)

    before = len(whatsapp.graph.messages_to(whatsapp.wa_id))
    grant = button_click("U-AGENT", Act.GRANT, buttons(card.blocks)["replacement:1"])
    assert click(whatsapp.stack, grant) == 200
    invite = whatsapp.graph.wait_for(whatsapp.wa_id, before + 1)[before:]
    assert [(m["type"], m.get("template")) for m in invite] == [
        ("template", {"name": UPDATE_TEMPLATE, "language": {"code": "nl"}})
    ]
    time.sleep(QUIET_SECONDS)  # no free-form message, which WhatsApp would drop
    assert len(whatsapp.graph.messages_to(whatsapp.wa_id)) == before + 1

    told = text_of(whatsapp.says("hallo?"))
    assert "Mijn collega heeft naar je zaak gekeken" in told and "welk cijfer" in told
    assert "Mijn collega" not in text_of(whatsapp.says("8"))  # told once


# --- a case is a failure: the customer switches channel ------------------------------------


def test_a_whatsapp_conversation_joins_a_web_case_and_the_decision_reaches_whatsapp(
    customer: Customer, whatsapp: WhatsAppCustomer, slack: SlackStandIn, orders: Orders
):
    number = orders.like("100303")
    customer.says("my parcel says delivered but I never got it")
    customer.says(number)
    assert "colleague" in customer.says("9711 LM")
    card, case_id = card_for(slack, customer, number)
    assert case_id.startswith(f"{number}:missing_item")

    # The same customer, now on WhatsApp: once verified, they are in the same case.
    whatsapp.says("hi, where is my parcel? it says delivered but I don't have it")
    whatsapp.says(number)
    joined = text_of(whatsapp.says("9711 LM"))
    assert "already looking into this" in joined
    time.sleep(QUIET_SECONDS)
    assert len([c for c in slack.messages.values() if c.thread_ts is None
                and number in json.dumps(c.blocks)]) == 1  # fmt: skip  # no second card

    before = len(whatsapp.graph.messages_to(whatsapp.wa_id))
    grant = button_click("U-AGENT", Act.GRANT, buttons(card.blocks)["replacement:1"])
    assert click(whatsapp.stack, grant) == 200
    decided = text_of(whatsapp.graph.wait_for(whatsapp.wa_id, before + 2)[before:])
    assert "My colleague has looked at your case" in decided
    assert "hiking boots" in decided
    # The web chat is not where the customer is now: the decision did not go there.
    assert "My colleague has looked" not in "\n".join(
        m.get("text") or "" for m in _web_messages(customer)
    )


def test_a_failure_compensated_on_the_web_is_not_compensated_again_on_whatsapp(
    customer: Customer, whatsapp: WhatsAppCustomer, orders: Orders
):
    number = orders.like("100482")
    customer.says(f"my parcel still hasn't arrived, order {number}")
    assert "voucher of €10" in customer.says("3512 JE")
    code = re.search(r"code is (HRST-\w{4}-\w{4})", customer.says("yes please")).group(1)

    whatsapp.says(f"my laptop {number} is still not here")
    told = text_of(whatsapp.says("3512 JE"))
    assert "already put right" in told and code in told
    assert "Shall I go ahead?" not in told
    assert "HRST-" not in text_of(whatsapp.says("yes")).replace(code, "")


def _web_messages(customer: Customer) -> list[dict]:
    url = f"{customer.stack.url('desk')}/chat/{customer.sender}/messages"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["messages"]

"""SlackCards through slack_sdk's real client, over HTTP, against the local Slack stand-in."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from escalation.cards import case_card, close_modal, thread_message, write_modal
from escalation.model import Act, Case, Message, Status
from escalation.slack import SlackCards, SlackUnavailable
from tests.support.slack_standin import (
    CHANNEL_ID,
    CHANNEL_NAME,
    TOKEN,
    SlackStandIn,
    running_standin,
)
from tests.unit.escalation.cases import AGENT, NOW, a_case

pytestmark = pytest.mark.integration


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with running_standin() as standin:
        yield standin


@pytest.fixture
def cards(slack: SlackStandIn) -> SlackCards:
    return SlackCards.connect(TOKEN, base_url=slack.base_url, timeout=5)


async def posted(cards: SlackCards, case: Case) -> Case:
    channel, ts = await cards.post_case(CHANNEL_NAME, case)
    return Case(case.file, case.state.but(slack_channel=channel, slack_ts=ts))


async def test_a_card_is_posted_as_slack_sdk_sends_it(
    cards: SlackCards, slack: SlackStandIn
) -> None:
    case = a_case()
    channel, ts = await cards.post_case(CHANNEL_NAME, case)
    assert channel == CHANNEL_ID  # a channel name comes back as its id
    seconds, micros = ts.split(".")
    assert seconds.isdigit() and len(micros) == 6
    [call] = slack.calls_to("chat.postMessage")
    assert call.content_type == "application/json"
    assert call.authorization == f"Bearer {TOKEN}"
    card = case_card(case)
    assert call.args["blocks"] == json.loads(json.dumps(card["blocks"]))
    assert call.args["text"] == card["text"]
    assert call.args["unfurl_links"] is False and call.args["unfurl_media"] is False
    assert slack.messages[(CHANNEL_ID, ts)].blocks == call.args["blocks"]


async def test_the_card_follows_the_case_to_its_resolution(
    cards: SlackCards, slack: SlackStandIn
) -> None:
    case = await posted(cards, a_case())
    key = (CHANNEL_ID, case.state.slack_ts)

    claimed = Case(case.file, case.state.but(status=Status.CLAIMED, owner=AGENT))
    await cards.update_case(claimed)
    assert f"Claimed by <@{AGENT}>" in json.dumps(slack.messages[key].blocks)

    resolved = Case(
        case.file,
        claimed.state.but(
            status=Status.RESOLVED, outcome="Voucher €10 granted", decided_by=AGENT, decided_at=NOW
        ),
    )
    await cards.update_case(resolved)
    final = slack.messages[key]
    assert final.updates == 2
    assert all(b["type"] != "actions" and "accessory" not in b for b in final.blocks or [])
    assert "Voucher €10 granted" in json.dumps(final.blocks, ensure_ascii=False)
    second = slack.calls_to("chat.update")[1]
    assert second.args["ts"] == case.state.slack_ts and second.args["channel"] == CHANNEL_ID


async def test_thread_messages_go_under_the_card(cards: SlackCards, slack: SlackStandIn) -> None:
    case = await posted(cards, a_case(Status.TAKEN_OVER))
    said = Message("customer", "Hallo? <!channel>", NOW)
    await cards.post_thread(case, said)
    [reply] = slack.thread(CHANNEL_ID, case.state.slack_ts or "")
    assert reply.ts != case.state.slack_ts
    assert reply.blocks == json.loads(json.dumps(thread_message(said)["blocks"]))
    assert "<!channel>" not in json.dumps(reply.blocks) and "<!channel>" not in (reply.text or "")


async def test_the_write_modal_opens(cards: SlackCards, slack: SlackStandIn) -> None:
    case = a_case()
    await cards.open_write_modal("12345.98765.abcd", case)
    [call] = slack.calls_to("views.open")
    assert call.args["trigger_id"] == "12345.98765.abcd"
    assert slack.views == [json.loads(json.dumps(write_modal(case)))]


async def test_the_close_modal_opens(cards: SlackCards, slack: SlackStandIn) -> None:
    case = a_case()
    await cards.open_close_modal("12345.98765.abcd", case)
    [call] = slack.calls_to("views.open")
    assert call.args["trigger_id"] == "12345.98765.abcd"
    assert slack.views == [json.loads(json.dumps(close_modal(case)))]


async def test_a_note_only_the_agent_sees(cards: SlackCards, slack: SlackStandIn) -> None:
    case = await posted(cards, a_case(Status.CLAIMED))
    await cards.tell_agent(case, "U0OTHER01", f"<@{AGENT}> already has this case.")
    assert slack.ephemerals == [
        {"channel": CHANNEL_ID, "user": "U0OTHER01", "text": f"<@{AGENT}> already has this case."}
    ]
    [call] = slack.calls_to("chat.postEphemeral")
    assert call.authorization == f"Bearer {TOKEN}"


async def test_a_case_without_a_card_cannot_be_updated(cards: SlackCards) -> None:
    with pytest.raises(ValueError, match="no Slack card"):
        await cards.update_case(a_case())
    with pytest.raises(ValueError, match="no Slack card"):
        await cards.post_thread(a_case(), Message("agent", "hi", NOW))
    with pytest.raises(ValueError, match="no Slack card"):
        await cards.tell_agent(a_case(), AGENT, "hi")


async def test_a_wrong_token_is_slack_unavailable(slack: SlackStandIn) -> None:
    cards = SlackCards.connect("xoxb-wrong", base_url=slack.base_url)
    with pytest.raises(SlackUnavailable) as refused:
        await cards.post_case(CHANNEL_NAME, a_case())
    assert (refused.value.method, refused.value.error) == ("chat.postMessage", "invalid_auth")
    assert slack.messages == {}


async def test_an_unknown_channel_is_slack_unavailable(cards: SlackCards) -> None:
    with pytest.raises(SlackUnavailable, match="channel_not_found"):
        await cards.post_case("#nowhere", a_case())


async def test_a_message_gone_from_slack_is_slack_unavailable(cards: SlackCards) -> None:
    case = a_case()
    case = Case(case.file, case.state.but(slack_channel=CHANNEL_ID, slack_ts="1700000000.000001"))
    with pytest.raises(SlackUnavailable, match="message_not_found"):
        await cards.update_case(case)
    with pytest.raises(SlackUnavailable, match="thread_not_found"):
        await cards.post_thread(case, Message("agent", "hi", NOW))


@pytest.mark.parametrize("error", ["ratelimited", "internal_error", "fatal_error"])
async def test_slack_refusing_is_slack_unavailable(
    cards: SlackCards, slack: SlackStandIn, error: str
) -> None:
    slack.fail_next("views.open", error)
    with pytest.raises(SlackUnavailable) as refused:
        await cards.open_write_modal("1.2.3", a_case())
    assert refused.value.error == error
    await cards.open_write_modal("1.2.3", a_case())  # the next call goes through again


async def test_slack_out_of_reach_is_slack_unavailable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cards = SlackCards.connect(TOKEN, base_url=f"http://127.0.0.1:{port}/api/", timeout=2)
    with pytest.raises(SlackUnavailable) as refused:
        await cards.post_case(CHANNEL_NAME, a_case())
    assert refused.value.method == "chat.postMessage"


# --- the stand-in itself refuses what Slack refuses --------------------------------------------


async def test_the_standin_refuses_blocks_over_the_limits(slack: SlackStandIn) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=slack.base_url)
    too_many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL_ID, text="t", blocks=too_many)
    assert refused.value.response["error"] == "invalid_blocks"
    twins = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "A"},
                    "action_id": Act.GRANT,
                    "value": "c|1",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "B"},
                    "action_id": Act.GRANT,
                    "value": "c|2",
                },
            ],
        }
    ]
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL_ID, text="t", blocks=twins)
    assert "already exists" in refused.value.response["errors"][0]
    with pytest.raises(SlackApiError) as refused, pytest.warns(UserWarning, match="`text`"):
        await client.chat_postMessage(channel=CHANNEL_ID)
    assert refused.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id="1.2.3", view={"type": "modal", "blocks": []})
    assert refused.value.response["error"] == "invalid_arguments"
    assert slack.messages == {} and slack.views == []


async def test_the_standin_takes_form_bodies_too(slack: SlackStandIn) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=slack.base_url)
    card = case_card(a_case())
    response = await client.api_call(
        "chat.postMessage",
        data={"channel": CHANNEL_ID, "text": card["text"], "blocks": json.dumps(card["blocks"])},
    )
    assert response["ok"] and response["channel"] == CHANNEL_ID
    [call] = slack.calls
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.args["blocks"] == json.loads(json.dumps(card["blocks"]))
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", data={"channel": CHANNEL_ID, "blocks": "[{"})
    assert refused.value.response["error"] == "invalid_blocks_format"
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(
            "chat.postMessage",
            data={"channel": CHANNEL_ID, "text": "x"},
            headers={"Authorization": "Bearer nope"},
        )
    assert refused.value.response["error"] == "invalid_auth"


async def test_an_outage_page_from_slack_becomes_slack_unavailable_with_its_status(
    cards: SlackCards, slack: SlackStandIn
) -> None:
    slack.outage(503)
    with pytest.raises(SlackUnavailable) as raised:
        await cards.post_case(CHANNEL_NAME, a_case())
    assert (raised.value.error, raised.value.retry_after) == ("http_503", None)
    slack.recover()
    assert (await cards.post_case(CHANNEL_NAME, a_case()))[0] == CHANNEL_ID


async def test_rate_limiting_carries_slacks_retry_after(
    cards: SlackCards, slack: SlackStandIn
) -> None:
    slack.outage(429, retry_after=7)
    with pytest.raises(SlackUnavailable) as raised:
        await cards.post_case(CHANNEL_NAME, a_case())
    assert (raised.value.error, raised.value.retry_after) == ("ratelimited", 7.0)


async def test_a_notice_reaches_the_channel(cards: SlackCards, slack: SlackStandIn) -> None:
    await cards.post_notice(CHANNEL_NAME, "Slack is reachable again.")
    [call] = slack.calls_to("chat.postMessage")
    assert call.args["text"] == "Slack is reachable again."

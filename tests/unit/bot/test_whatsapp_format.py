"""The WhatsApp channel's pure parts: signatures, webhook parsing, rendering, memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.connectors.whatsapp_format import (
    BUTTON_TITLE_LIMIT,
    INTERACTIVE_BODY_LIMIT,
    LIST_BUTTON_LIMIT,
    TEXT_LIMIT,
    MalformedWebhook,
    NumberedOptions,
    SeenMessages,
    WhatsAppSettings,
    button_message,
    parse_webhook,
    sender_ref,
    signature_for,
    signature_is_valid,
    split_text,
    text_messages,
    verification_challenge,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "whatsapp"
VECTOR = json.loads((FIXTURES / "signature_test_vectors.json").read_text())[
    "whatsapp_cloud_x_hub_signature_256"
]
META_EXAMPLE = (FIXTURES / "meta_docs_text_message_example.json").read_bytes()
WA_ID = "16505551234"
# The CES question's buttons, as actions/survey.py sends them.
CES_BUTTONS = [
    {"title": str(n), "payload": f'/give_rating{{"rating": "{n}"}}'} for n in range(1, 8)
]
CES_TEXT = (
    "Dank je! En hoe makkelijk was het om dit geregeld te krijgen? 1 is heel moeilijk, "
    "7 heel makkelijk."
)


# -- signatures -----------------------------------------------------------------------


def test_the_signature_matches_the_known_answer_vector():
    body = VECTOR["body"].encode()
    assert signature_for(VECTOR["app_secret"], body) == VECTOR["expected_header"]
    assert signature_is_valid(VECTOR["app_secret"], body, VECTOR["expected_header"])
    assert signature_is_valid(VECTOR["app_secret"], body, VECTOR["expected_header"].upper())


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        (VECTOR["app_secret"], b"tesT", VECTOR["expected_header"]),  # tampered body
        ("OTHER_SECRET", b"test", VECTOR["expected_header"]),  # wrong secret
        (VECTOR["app_secret"], b"test", None),  # no header
        (VECTOR["app_secret"], b"test", ""),
        (VECTOR["app_secret"], b"test", VECTOR["expected_hex"]),  # no "sha256=" prefix
        (VECTOR["app_secret"], b"test", "sha1=" + VECTOR["expected_hex"]),
        (VECTOR["app_secret"], b"test", VECTOR["expected_header"][:-2]),
        ("", b"test", signature_for("", b"test")),  # no secret configured: nothing passes
    ],
)
def test_a_wrong_or_missing_signature_is_refused(secret, body, header):
    assert not signature_is_valid(secret, body, header)


def test_the_verification_handshake_echoes_the_challenge_only_for_the_right_token():
    assert verification_challenge("tok", "subscribe", "tok", "1158201444") == "1158201444"
    assert verification_challenge("tok", "subscribe", "other", "1158201444") is None
    assert verification_challenge("tok", "unsubscribe", "tok", "1158201444") is None
    assert verification_challenge("tok", "subscribe", None, "1158201444") is None
    assert verification_challenge("", "subscribe", "", "1158201444") is None


# -- settings -------------------------------------------------------------------------


def test_settings_come_from_the_environment_and_name_what_is_missing():
    empty = WhatsAppSettings.from_env({})
    assert not empty.configured
    assert empty.missing() == [
        "HERSTEL_WHATSAPP_APP_SECRET",
        "HERSTEL_WHATSAPP_VERIFY_TOKEN",
        "HERSTEL_WHATSAPP_ACCESS_TOKEN",
        "HERSTEL_WHATSAPP_PHONE_NUMBER_ID",
    ]
    settings = WhatsAppSettings.from_env(
        {
            "HERSTEL_WHATSAPP_APP_SECRET": "s3cret",
            "HERSTEL_WHATSAPP_VERIFY_TOKEN": "v3rify",
            "HERSTEL_WHATSAPP_ACCESS_TOKEN": "acc3ss",
            "HERSTEL_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "HERSTEL_WHATSAPP_API_URL": "http://127.0.0.1:9999/",
        }
    )
    assert settings.configured
    assert settings.messages_url.startswith("http://127.0.0.1:9999/v")
    assert settings.messages_url.endswith("/106540352242922/messages")
    assert not any(secret in repr(settings) for secret in ("s3cret", "v3rify", "acc3ss"))


def test_a_phone_number_becomes_a_short_reference_in_logs():
    ref = sender_ref(WA_ID)
    assert ref == sender_ref(WA_ID) != sender_ref("31612345678")
    assert WA_ID not in ref and len(ref) == 10


# -- parsing --------------------------------------------------------------------------


def webhook(*messages: dict, statuses: list | None = None) -> bytes:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": WA_ID}],
    }
    if messages:
        value["messages"] = list(messages)
    if statuses is not None:
        value["statuses"] = statuses
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


def message(kind: str, **content) -> dict:
    return {
        "from": WA_ID,
        "id": f"wamid.{kind}",
        "timestamp": "1749416383",
        "type": kind,
        **content,
    }


def test_metas_text_message_example_is_one_text_turn():
    [incoming] = parse_webhook(META_EXAMPLE)
    assert incoming.sender == WA_ID
    assert incoming.message_id.startswith("wamid.HBgLMTY1")
    assert incoming.phone_number_id == "106540352242922"
    assert (incoming.kind, incoming.text) == ("text", "Does it come in another color?")


@pytest.mark.parametrize("reply", ["button_reply", "list_reply"])
def test_a_tapped_button_or_row_comes_back_as_its_id_the_rasa_payload(reply):
    tapped = {"type": reply, reply: {"id": '/give_rating{"rating": "6"}', "title": "6"}}
    [incoming] = parse_webhook(webhook(message("interactive", interactive=tapped)))
    assert (incoming.kind, incoming.text) == (reply, '/give_rating{"rating": "6"}')


def test_status_updates_are_not_turns():
    delivered = {"id": "wamid.x", "status": "delivered", "recipient_id": WA_ID}
    read = {**delivered, "status": "read"}
    assert parse_webhook(webhook(statuses=[delivered, read])) == []


def test_a_template_quick_reply_comes_back_as_its_payload():
    tapped = message("button", button={"payload": "/track_order", "text": "Where is it?"})
    [incoming] = parse_webhook(webhook(tapped))
    assert (incoming.kind, incoming.text) == ("button", "/track_order")


def test_media_gives_its_caption_or_is_marked_unsupported_and_reactions_are_silent():
    captioned = message("image", image={"id": "1", "caption": "zo kwam het binnen"})
    bare = {**message("audio", audio={"id": "2"}), "id": "wamid.audio"}
    reaction = message("reaction", reaction={"message_id": "wamid.y", "emoji": "👍"})
    parsed = parse_webhook(webhook(captioned, bare, reaction))
    assert [(m.kind, m.text) for m in parsed] == [
        ("caption", "zo kwam het binnen"),
        ("unsupported", ""),
    ]


def test_several_messages_in_one_webhook_keep_their_order():
    first = {**message("text", text={"body": "hoi"}), "id": "wamid.1"}
    second = {**message("text", text={"body": "mijn pakket"}), "id": "wamid.2"}
    assert [m.text for m in parse_webhook(webhook(first, second))] == ["hoi", "mijn pakket"]


@pytest.mark.parametrize("body", [b"", b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_malformed(body):
    with pytest.raises(MalformedWebhook):
        parse_webhook(body)


def test_other_objects_and_fields_are_ignored():
    assert parse_webhook(b'{"object": "page", "entry": []}') == []
    other_field = json.loads(webhook(message("text", text={"body": "hoi"})))
    other_field["entry"][0]["changes"][0]["field"] = "account_update"
    assert parse_webhook(json.dumps(other_field).encode()) == []


# -- rendering ------------------------------------------------------------------------


def test_text_goes_out_as_one_text_message():
    [sent] = text_messages(WA_ID, "Wat vervelend!")
    assert sent == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": "Wat vervelend!"},
    }


def test_long_text_is_split_at_word_boundaries_within_the_limit():
    text = " ".join(f"woord{n}" for n in range(1500))  # 13,889 characters
    sent = text_messages(WA_ID, text)
    bodies = [m["text"]["body"] for m in sent]
    assert len(bodies) == 4
    assert all(len(body) <= TEXT_LIMIT for body in bodies)
    assert " ".join(bodies) == text


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=10, max_value=700))
def test_split_text_keeps_every_word_and_every_piece_within_the_limit(text, limit):
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_two_buttons_become_reply_buttons_with_the_payload_as_id():
    buttons = [{"title": "Ja, graag", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]
    rendered = button_message(WA_ID, "Zal ik dat regelen?", buttons)
    assert rendered.lead == []
    interactive = rendered.interactive["interactive"]
    assert rendered.interactive["type"] == "interactive"
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Zal ik dat regelen?"}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "/affirm", "title": "Ja, graag"}},
        {"type": "reply", "reply": {"id": "/deny", "title": "Nee"}},
    ]


def test_the_seven_ces_buttons_become_a_list_with_one_section():
    rendered = button_message(WA_ID, CES_TEXT, CES_BUTTONS)
    interactive = rendered.interactive["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": CES_TEXT}
    action = interactive["action"]
    assert action["button"] == "Kies een antwoord"
    assert len(action["button"]) <= LIST_BUTTON_LIMIT
    [section] = action["sections"]
    assert [row["title"] for row in section["rows"]] == [str(n) for n in range(1, 8)]
    assert section["rows"][5]["id"] == '/give_rating{"rating": "6"}'
    # Should the API refuse the list, the numbered fallback maps "6" back the same way.
    assert rendered.payloads[5] == '/give_rating{"rating": "6"}'
    assert "\n6. 6\n" in rendered.numbered[0]["text"]["body"]


def test_an_english_list_is_opened_with_an_english_label():
    text = "Thanks! And how easy was it to get this sorted? 1 is very hard, 7 very easy."
    rendered = button_message(WA_ID, text, CES_BUTTONS)
    assert rendered.interactive["interactive"]["action"]["button"] == "Choose an answer"


def test_three_buttons_with_a_long_title_become_a_list_instead():
    titles = ["Order is te laat", "Het is beschadigd", "Waar blijft mijn pakket"]  # 23 chars
    assert len(titles[2]) > BUTTON_TITLE_LIMIT
    buttons = [{"title": t, "payload": f"/p{n}"} for n, t in enumerate(titles)]
    rendered = button_message(WA_ID, "Bedoel je een van deze?", buttons)
    assert rendered.interactive["interactive"]["type"] == "list"


@pytest.mark.parametrize(
    "buttons",
    [
        [{"title": f"Optie {n}", "payload": f"/p{n}"} for n in range(1, 12)],  # 11 options
        [{"title": "Een titel die veel te lang is voor een rij", "payload": "/a"}] * 1,
        [{"title": "Zelfde", "payload": "/a"}, {"title": "Zelfde", "payload": "/b"}],
        [{"title": "Kort", "payload": "/" + "x" * 300}],
    ],
)
def test_options_that_fit_no_interactive_message_become_numbered_text(buttons):
    rendered = button_message(WA_ID, "Kies maar:", buttons)
    assert rendered.interactive is None
    [sent] = rendered.numbered
    body = sent["text"]["body"]
    assert body.startswith("Kies maar:\n\n1. ")
    assert f"\n{len(buttons)}. " in body or len(buttons) == 1
    assert rendered.payloads == tuple(b["payload"] for b in buttons)


def test_a_long_question_is_sent_first_and_its_end_carries_the_buttons():
    text = ("Dit is een lange uitleg. " * 80).strip()  # about 2,000 characters
    buttons = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]
    rendered = button_message(WA_ID, text, buttons)
    body = rendered.interactive["interactive"]["body"]["text"]
    assert len(body) <= INTERACTIVE_BODY_LIMIT
    lead = " ".join(m["text"]["body"] for m in rendered.lead)
    assert f"{lead} {body}" == text


def test_buttons_without_a_question_become_numbered_text():
    rendered = button_message(WA_ID, "", [{"title": "Ja", "payload": "/affirm"}])
    assert rendered.interactive is None
    assert rendered.numbered[0]["text"]["body"] == "1. Ja"


# -- memory ---------------------------------------------------------------------------


def test_a_numbered_reply_maps_back_to_its_payload_once():
    numbered = NumberedOptions()
    numbered.remember(WA_ID, [b["payload"] for b in CES_BUTTONS])
    assert numbered.take(WA_ID, " 3. ") == '/give_rating{"rating": "3"}'
    assert numbered.take(WA_ID, "3") is None  # used up: the conversation moved on


@pytest.mark.parametrize("reply", ["8", "0", "drie", "3 sterren", ""])
def test_anything_but_a_listed_number_is_passed_on_and_forgets_the_options(reply):
    numbered = NumberedOptions()
    numbered.remember(WA_ID, ["/a", "/b", "/c"])
    assert numbered.take(WA_ID, reply) is None
    assert numbered.take(WA_ID, "1") is None


def test_numbered_options_belong_to_one_customer():
    numbered = NumberedOptions()
    numbered.remember(WA_ID, ["/a", "/b"])
    assert numbered.take("31612345678", "2") is None
    assert numbered.take(WA_ID, "2") == "/b"


def test_a_retried_message_id_is_handled_once_unless_handling_failed():
    seen = SeenMessages()
    assert seen.first_time("wamid.1")
    assert not seen.first_time("wamid.1")
    seen.forget("wamid.1")
    assert seen.first_time("wamid.1")


def test_the_memory_of_seen_messages_is_bounded():
    seen = SeenMessages(size=3)
    for n in range(4):
        assert seen.first_time(f"wamid.{n}")
    assert not seen.first_time("wamid.3")
    assert seen.first_time("wamid.0")  # the oldest was let go


# -- the e2e tests' Graph API stand-in checks what Meta checks ------------------------


def test_the_standin_accepts_what_we_render_and_refuses_what_meta_would():
    from tests.support.whatsapp_standin import problems_with

    rendered = button_message(WA_ID, CES_TEXT, CES_BUTTONS)
    assert problems_with(rendered.interactive) == []
    assert problems_with(text_messages(WA_ID, "x" * 5000)[0]) == []
    too_long = json.loads(json.dumps(rendered.interactive))
    too_long["interactive"]["action"]["sections"][0]["rows"][0]["title"] = "x" * 25
    assert problems_with(too_long) == ["row title has 25 characters (at most 24)"]
    four = button_message(WA_ID, "Kies", [{"title": "a", "payload": "/a"}] * 1).interactive
    four["interactive"]["action"]["buttons"] *= 4
    assert "4 reply buttons (1-3 allowed)" in problems_with(four)
    assert problems_with({**text_messages(WA_ID, "hoi")[0], "to": "+31 6"}) != []

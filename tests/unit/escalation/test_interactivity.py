"""parse_interaction: Slack's form body in, one typed Interaction (or a clear refusal) out."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from escalation.interactivity import BadInteraction, Interaction, parse_interaction
from escalation.model import CLOSE_MODAL, WRITE_BLOCK, WRITE_INPUT, WRITE_MODAL, Act

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"
RAW_FORM_BODY = (FIXTURES / "block_actions_raw_form_body.txt").read_bytes()
SLACK_PAYLOAD = json.loads((FIXTURES / "block_actions_payload.json").read_text())
CASE = "esc-100482-1"


def form(payload: Any) -> bytes:
    """The body Slack POSTs: one form field holding the JSON."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return urlencode({"payload": text}).encode()


def clicked(action_id: str, value: str | None) -> dict[str, Any]:
    """Slack's own block_actions sample, with one of our buttons clicked."""
    payload = copy.deepcopy(SLACK_PAYLOAD)
    action = payload["actions"][0]
    action["action_id"] = action_id
    if value is None:
        del action["value"]
    else:
        action["value"] = value
    return payload


def submitted(text: Any, *, metadata: str = CASE, callback_id: str = WRITE_MODAL) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T111", "domain": "workspace-domain"},
        "user": {"id": "U0AGENT01", "username": "sam", "name": "sam", "team_id": "T111"},
        "api_app_id": "A111",
        "trigger_id": "222.333.valid",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {
                "values": {WRITE_BLOCK: {WRITE_INPUT: {"type": "plain_text_input", "value": text}}}
            },
        },
    }


def test_slacks_raw_sample_body_decodes_but_its_action_is_not_ours() -> None:
    # The fixture is a genuine form body; its action_id "a" belongs to no Herstel control.
    with pytest.raises(BadInteraction, match="unknown action_id 'a'"):
        parse_interaction(RAW_FORM_BODY)


def test_a_claim_from_slacks_sample_payload() -> None:
    got = parse_interaction(form(clicked(Act.CLAIM, CASE)))
    assert got == Interaction(
        type="block_actions",
        user_id="W111",
        user_name="primary-owner",
        action_id=Act.CLAIM,
        value=CASE,
        case_id=CASE,
        trigger_id="111.222.valid",
        response_url="https://hooks.slack.com/actions/T111/111/random-value",
        offer_key=None,
        message_text=None,
        channel_id="C111",
        message_ts="111.222",
    )


@pytest.mark.parametrize("act", [Act.CLAIM, Act.WRITE, Act.TAKE_OVER, Act.HAND_BACK])
def test_every_control_carries_the_case_id(act: Act) -> None:
    got = parse_interaction(form(clicked(act, CASE)))
    assert (got.action_id, got.case_id, got.offer_key) == (act, CASE, None)


def test_a_grant_splits_case_and_offer_key() -> None:
    got = parse_interaction(form(clicked(Act.GRANT, f"{CASE}|voucher:1")))
    assert (got.action_id, got.case_id, got.offer_key) == (Act.GRANT, CASE, "voucher:1")
    assert got.value == f"{CASE}|voucher:1"


def test_the_channel_falls_back_to_the_container() -> None:
    payload = clicked(Act.CLAIM, CASE)
    del payload["channel"]
    assert parse_interaction(form(payload)).channel_id == "C111"


def test_a_written_message_from_the_modal() -> None:
    got = parse_interaction(form(submitted("  Beste klant, uw laptop komt vandaag.  ")))
    assert got.type == "view_submission"
    assert (got.action_id, got.case_id, got.value) == (WRITE_MODAL, CASE, CASE)
    assert got.message_text == "Beste klant, uw laptop komt vandaag."
    assert (got.user_id, got.user_name) == ("U0AGENT01", "sam")
    assert got.channel_id is None and got.message_ts is None


def test_a_reason_to_close_from_its_modal() -> None:
    payload = submitted("Found at the neighbours")
    payload["view"]["callback_id"] = CLOSE_MODAL
    got = parse_interaction(form(payload))
    assert (got.action_id, got.case_id, got.message_text) == (
        CLOSE_MODAL,
        CASE,
        "Found at the neighbours",
    )
    clicked_close = parse_interaction(form(clicked(Act.CLOSE, CASE)))
    assert (clicked_close.action_id, clicked_close.case_id) == (Act.CLOSE, CASE)


def test_an_interaction_is_frozen() -> None:
    got = parse_interaction(form(clicked(Act.CLAIM, CASE)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.case_id = "another"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "no payload"),
        (b"token=abc", "no payload"),
        (b"payload=", "no payload"),
        (form("{not json"), "not JSON"),
        (form("[1, 2]"), "not a JSON object"),
        (form({"type": "shortcut"}), "unknown interaction type 'shortcut'"),
        (form({"actions": []}), "unknown interaction type None"),
        (b"\xff\xfe", "not a form"),
        (b"payload=%7B%7D&payload=%7B%7D", "more than one payload"),
    ],
)
def test_malformed_bodies_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(BadInteraction, match=reason):
        parse_interaction(body)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (clicked("herstel_delete_everything", CASE), "unknown action_id"),
        (clicked(Act.CLAIM, None), "missing case id"),
        (clicked(Act.CLAIM, ""), "missing case id"),
        (clicked(Act.CLAIM, "x" * 129), "malformed case id"),
        (clicked(Act.CLAIM, "esc 1"), "malformed case id"),
        (clicked(Act.GRANT, CASE), "must be '<case id>|<offer key>'"),
        (clicked(Act.GRANT, "|voucher:1"), "missing case id"),
        (clicked(Act.GRANT, f"{CASE}|"), "missing offer key"),
        (clicked(Act.GRANT, f"{CASE}|a|b"), "malformed offer key"),
        ({**clicked(Act.CLAIM, CASE), "actions": []}, "without actions"),
        ({**clicked(Act.CLAIM, CASE), "user": {}}, "no user id"),
        ({k: v for k, v in clicked(Act.CLAIM, CASE).items() if k != "user"}, "no user id"),
        (submitted(""), "empty message"),
        (submitted(" \n\t "), "empty message"),
        (submitted(None), "empty message"),
        (submitted("x" * 3001), "longer than 3000"),
        (submitted("hello", metadata=""), "missing case id"),
        (submitted("hello", callback_id="other_modal"), "unknown view callback_id"),
        (
            {**submitted("hello"), "view": {"callback_id": WRITE_MODAL, "private_metadata": CASE}},
            "message field is missing",
        ),
        ({**submitted("hello"), "view": None}, "without a view"),
    ],
)
def test_malformed_interactions_are_refused(payload: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadInteraction, match=reason):
        parse_interaction(form(payload))


def test_error_messages_stay_short_whatever_was_sent() -> None:
    with pytest.raises(BadInteraction) as refused:
        parse_interaction(form(clicked("x" * 10_000, CASE)))
    assert len(str(refused.value)) < 120

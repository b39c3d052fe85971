"""What Slack POSTs to the interactivity URL, parsed into one small, typed, frozen record.

Slack sends a form body with one field, payload=<JSON>. Only call this after the request's
signature was verified. Everything here is input, not authority: the desk re-checks the
case, the agent's level and the offer on the server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from escalation.model import CLOSE_MODAL, WRITE_BLOCK, WRITE_INPUT, WRITE_MODAL, Act

MAX_CASE_ID = 128  # the escalations table's key
MAX_OFFER_KEY = 200
MAX_MESSAGE = 3000  # the modal's max_length; Slack enforces it, we do not trust that

# No separators, white space or control characters in identifiers that come from buttons.
_IDENTIFIER = re.compile(r"[^\s|\x00-\x1f\x7f]+")

Kind = Literal["block_actions", "view_submission"]


class BadInteraction(Exception):
    """The body is not an interaction Herstel understands."""


@dataclass(frozen=True, slots=True)
class Interaction:
    """One agent action from a card, or one submitted write-to-customer modal.

    For a view submission, action_id is the view's callback_id (WRITE_MODAL, CLOSE_MODAL)
    and value the case id it carried in private_metadata.
    """

    type: Kind
    user_id: str
    user_name: str
    action_id: str
    value: str
    case_id: str
    trigger_id: str | None = None
    response_url: str | None = None
    offer_key: str | None = None  # for Act.GRANT
    message_text: str | None = None  # for a view submission
    channel_id: str | None = None
    message_ts: str | None = None


def parse_interaction(body: bytes) -> Interaction:
    payload = _payload(body)
    kind = payload.get("type")
    if kind == "block_actions":
        return _block_actions(payload)
    if kind == "view_submission":
        return _view_submission(payload)
    raise BadInteraction(f"unknown interaction type {_show(kind)}")


def _payload(body: bytes) -> dict[str, Any]:
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as e:
        raise BadInteraction(f"body is not a form: {type(e).__name__}") from None
    values = form.get("payload")
    if not values or not values[0]:
        raise BadInteraction("no payload field in the body")
    if len(values) > 1:
        raise BadInteraction("more than one payload field")
    try:
        payload = json.loads(values[0])
    except json.JSONDecodeError as e:
        raise BadInteraction(f"payload is not JSON: {e.msg} at {e.pos}") from None
    if not isinstance(payload, dict):
        raise BadInteraction("payload is not a JSON object")
    return payload


def _show(value: Any) -> str:
    """A value for an error message: short, so a hostile body cannot flood the logs."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _user(payload: dict[str, Any]) -> tuple[str, str]:
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        raise BadInteraction("no user id")
    name = user.get("username") or user.get("name") or ""
    return user["id"], name if isinstance(name, str) else ""


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _identifier(value: str, what: str, limit: int) -> str:
    if not value:
        raise BadInteraction(f"missing {what}")
    if len(value) > limit or not _IDENTIFIER.fullmatch(value):
        raise BadInteraction(f"malformed {what}")
    return value


def _block_actions(payload: dict[str, Any]) -> Interaction:
    user_id, user_name = _user(payload)
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise BadInteraction("block_actions without actions")
    action = actions[0]  # a button click carries exactly one
    action_id = action.get("action_id")
    if action_id not in {a.value for a in Act}:
        raise BadInteraction(f"unknown action_id {_show(action_id)}")
    value = action.get("value")
    if not isinstance(value, str):
        raise BadInteraction("missing case id: the action has no value")
    offer_key = None
    if action_id == Act.GRANT:
        case_id, sep, offer_key = value.partition("|")
        if not sep:
            raise BadInteraction("a grant's value must be '<case id>|<offer key>'")
        offer_key = _identifier(offer_key, "offer key", MAX_OFFER_KEY)
    else:
        case_id = value
    case_id = _identifier(case_id, "case id", MAX_CASE_ID)
    container, channel, message = (_object(payload, k) for k in ("container", "channel", "message"))
    return Interaction(
        type="block_actions",
        user_id=user_id,
        user_name=user_name,
        action_id=Act(action_id).value,
        value=value,
        case_id=case_id,
        trigger_id=_str(payload.get("trigger_id")),
        response_url=_str(payload.get("response_url")),
        offer_key=offer_key,
        channel_id=_str(channel.get("id")) or _str(container.get("channel_id")),
        message_ts=_str(container.get("message_ts")) or _str(message.get("ts")),
    )


def _view_submission(payload: dict[str, Any]) -> Interaction:
    user_id, user_name = _user(payload)
    view = payload.get("view")
    if not isinstance(view, dict):
        raise BadInteraction("view_submission without a view")
    callback_id = view.get("callback_id")
    if callback_id not in (WRITE_MODAL, CLOSE_MODAL):
        raise BadInteraction(f"unknown view callback_id {_show(callback_id)}")
    metadata = view.get("private_metadata")
    case_id = _identifier(metadata if isinstance(metadata, str) else "", "case id", MAX_CASE_ID)
    try:
        text = view["state"]["values"][WRITE_BLOCK][WRITE_INPUT]["value"]
    except (KeyError, TypeError):
        raise BadInteraction("the message field is missing from the submitted view") from None
    if not isinstance(text, str) or not text.strip():
        raise BadInteraction("empty message")
    if len(text) > MAX_MESSAGE:
        raise BadInteraction(f"message longer than {MAX_MESSAGE} characters")
    return Interaction(
        type="view_submission",
        user_id=user_id,
        user_name=user_name,
        action_id=callback_id,
        value=case_id,
        case_id=case_id,
        trigger_id=_str(payload.get("trigger_id")),
        response_url=_str(payload.get("response_url")),
        message_text=text.strip(),
        channel_id=None,
        message_ts=None,
    )

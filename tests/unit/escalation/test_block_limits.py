"""The Block Kit limit checker refuses what Slack refuses: each limit, one step over it."""

from __future__ import annotations

from typing import Any

import pytest

from escalation.block_limits import message_problems, slack_len, view_problems


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def button(text: str = "Go", action_id: str = "go", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": value}


def section(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(text), **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def test_slack_length_counts_astral_characters_twice() -> None:
    assert slack_len("abc") == 3
    assert slack_len("€") == 1
    assert slack_len("📦") == 2


OK_MESSAGES: list[list[dict[str, Any]]] = [
    [{"type": "header", "text": plain("h" * 150)}],
    [section("s" * 3000)],
    [section(accessory=button("b" * 75, "a" * 255, "v" * 2000))],
    [actions(*(button(action_id=f"a{i}") for i in range(25)))],
    [{"type": "context", "elements": [md("c")] * 10}],
    [{"type": "section", "fields": [md("f" * 2000)] * 10}],
    [{"type": "divider"}] * 50,
]


@pytest.mark.parametrize("blocks", OK_MESSAGES, ids=range(len(OK_MESSAGES)))
def test_messages_at_the_limits_pass(blocks: list[dict[str, Any]]) -> None:
    assert message_problems(blocks) == []


BAD_MESSAGES: list[tuple[Any, str]] = [
    ([{"type": "divider"}] * 51, "/blocks"),
    ([{"type": "header", "text": plain("h" * 151)}], "/blocks/0/text/text"),
    ([{"type": "header", "text": md("mrkdwn header")}], "/blocks/0/text/type"),
    ([section("s" * 3001)], "/blocks/0/text/text"),
    ([section("📦" * 1501)], "/blocks/0/text/text"),
    ([section("")], "/blocks/0/text/text"),
    ([{"type": "section"}], "/blocks/0"),
    ([section(accessory=button("b" * 76))], "/blocks/0/accessory/text/text"),
    ([section(accessory=button(value="v" * 2001))], "/blocks/0/accessory/value"),
    ([section(accessory=button(action_id="a" * 256))], "/blocks/0/accessory/action_id"),
    ([actions(button(action_id="same"), button(action_id="same"))], "/blocks/0/elements/1"),
    ([actions(*(button(action_id=f"a{i}") for i in range(26)))], "/blocks/0/elements"),
    ([actions()], "/blocks/0/elements"),
    ([{"type": "context", "elements": [md("c")] * 11}], "/blocks/0/elements"),
    ([{"type": "section", "fields": [md("f")] * 11}], "/blocks/0/fields"),
    ([{"type": "section", "fields": [md("f" * 2001)]}], "/blocks/0/fields/0/text"),
    ([section(block_id="x"), section(block_id="x")], "/blocks/1/block_id"),
    ([section(block_id="b" * 256)], "/blocks/0/block_id"),
    ([{"type": "video"}], "/blocks/0/type"),
    ([{"type": "input", "label": plain("l"), "element": {"type": "plain_text_input"}}], "/type"),
    ([section(accessory={**button(), "style": "loud"})], "/blocks/0/accessory/style"),
    ([section(accessory={**button(), "text": md("mrkdwn button")})], "/accessory/text/type"),
    ("not a list", "/blocks"),
]


@pytest.mark.parametrize(("blocks", "where"), BAD_MESSAGES, ids=range(len(BAD_MESSAGES)))
def test_one_step_over_a_limit_is_a_problem(blocks: Any, where: str) -> None:
    problems = message_problems(blocks)
    assert problems and any(where in p for p in problems), problems


def test_equal_action_ids_in_different_blocks_are_fine() -> None:
    blocks = [
        section(accessory=button(action_id="grant")),
        section(accessory=button(action_id="grant")),
    ]
    assert message_problems(blocks) == []


def test_the_fallback_text_is_checked_when_given() -> None:
    assert message_problems([], "t" * 40_000) == []
    assert message_problems([], "t" * 40_001)


def a_modal(**overrides: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "callback_id": "cb",
        "private_metadata": "case",
        "title": plain("Write to customer"),
        "submit": plain("Send to customer"),
        "blocks": [
            {
                "type": "input",
                "block_id": "message",
                "label": plain("Message"),
                "element": {"type": "plain_text_input", "action_id": "text", "max_length": 3000},
            }
        ],
    }
    return {**view, **overrides}


def test_a_valid_modal_passes() -> None:
    assert view_problems(a_modal()) == []


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"type": "home"}, "/view/type"),
        ({"title": plain("t" * 25)}, "/view/title/text"),
        ({"submit": plain("s" * 25)}, "/view/submit/text"),
        ({"private_metadata": "m" * 3001}, "/view/private_metadata"),
        ({"callback_id": "c" * 256}, "/view/callback_id"),
        ({"blocks": [{"type": "divider"}] * 101}, "/view/blocks"),
        (
            {
                "blocks": [
                    {
                        "type": "input",
                        "label": plain("l"),
                        "element": {"type": "plain_text_input", "max_length": 3001},
                    }
                ]
            },
            "/view/blocks/0/element/max_length",
        ),
        ({"submit": None}, "/view/submit"),
    ],
)
def test_modal_limits(overrides: dict[str, Any], where: str) -> None:
    view = a_modal(**overrides)
    if overrides.get("submit", 1) is None:
        del view["submit"]
    problems = view_problems(view)
    assert problems and any(where in p for p in problems), problems

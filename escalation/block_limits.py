"""Block Kit limits, checked the way Slack checks them: one checker for the cards and the stand-in.

Only the block and element types Herstel sends are known here; anything else is a problem,
so a new kind of block has to be taught to this checker before it can reach Slack.

Lengths are counted in UTF-16 code units, never fewer than Python's code points, so text
trimmed to fit here also fits however Slack counts (an emoji may count twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
MESSAGE_TEXT = 40_000  # chat.postMessage's top-level text; longer gives msg_too_long
TEXT_OBJECT = 3000  # any text object, and a section's text
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACTION_ID = 255
BLOCK_ID = 255
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
VIEW_TITLE = 24  # a modal's title, submit and close texts
CALLBACK_ID = 255
PRIVATE_METADATA = 3000
INPUT_LABEL = 2000
INPUT_HINT = 2000
INPUT_MAX_LENGTH = 3000
PLACEHOLDER = 150


def slack_len(text: str) -> int:
    """Length in UTF-16 code units (surrogates kept), the stricter of the two counts."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{what} [json-pointer:{where}]")

    def string(
        self, value: Any, where: str, limit: int, *, required: bool = True, min_len: int = 1
    ) -> None:
        if value is None:
            if required:
                self.add(where, "missing required field")
            return
        if not isinstance(value, str):
            self.add(where, "must be a string")
        elif slack_len(value) < min_len:
            self.add(where, f"must be at least {min_len} characters")
        elif slack_len(value) > limit:
            self.add(where, f"must be at most {limit} characters")

    def text(
        self, obj: Any, where: str, limit: int = TEXT_OBJECT, *, plain_only: bool = False
    ) -> None:
        if not isinstance(obj, Mapping):
            self.add(where, "must be a text object")
            return
        kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            self.add(f"{where}/type", f"must be one of {', '.join(kinds)}")
        self.string(obj.get("text"), f"{where}/text", limit)
        if "emoji" in obj and obj.get("type") != "plain_text":
            self.add(f"{where}/emoji", "only plain_text takes emoji")
        if "verbatim" in obj and obj.get("type") != "mrkdwn":
            self.add(f"{where}/verbatim", "only mrkdwn takes verbatim")

    def button(self, el: Mapping[str, Any], where: str, action_ids: set[str]) -> None:
        self.text(el.get("text"), f"{where}/text", BUTTON_TEXT, plain_only=True)
        self.action_id(el, where, action_ids, required=False)
        self.string(el.get("value"), f"{where}/value", BUTTON_VALUE, required=False)
        self.string(el.get("url"), f"{where}/url", BUTTON_URL, required=False)
        if "style" in el and el["style"] not in ("primary", "danger"):
            self.add(f"{where}/style", "must be primary or danger")
        if "confirm" in el:
            self.confirm(el["confirm"], f"{where}/confirm")

    def confirm(self, obj: Any, where: str) -> None:
        if not isinstance(obj, Mapping):
            self.add(where, "must be a confirmation object")
            return
        self.text(obj.get("title"), f"{where}/title", CONFIRM_TITLE, plain_only=True)
        self.text(obj.get("text"), f"{where}/text", CONFIRM_TEXT)
        self.text(obj.get("confirm"), f"{where}/confirm", CONFIRM_BUTTON, plain_only=True)
        self.text(obj.get("deny"), f"{where}/deny", CONFIRM_BUTTON, plain_only=True)

    def action_id(
        self, el: Mapping[str, Any], where: str, seen: set[str], *, required: bool
    ) -> None:
        action_id = el.get("action_id")
        self.string(action_id, f"{where}/action_id", ACTION_ID, required=required)
        if isinstance(action_id, str):
            # Slack: "`action_id` ... already exists" within one block.
            if action_id in seen:
                self.add(f"{where}/action_id", f"action_id {action_id!r} already exists")
            seen.add(action_id)

    def plain_text_input(self, el: Mapping[str, Any], where: str) -> None:
        self.action_id(el, where, set(), required=False)
        if "placeholder" in el:
            self.text(el["placeholder"], f"{where}/placeholder", PLACEHOLDER, plain_only=True)
        for key in ("min_length", "max_length"):
            value = el.get(key)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                self.add(f"{where}/{key}", "must be a non-negative integer")
        max_length = el.get("max_length")
        if isinstance(max_length, int) and max_length > INPUT_MAX_LENGTH:
            self.add(f"{where}/max_length", f"must be at most {INPUT_MAX_LENGTH}")
        if "multiline" in el and not isinstance(el["multiline"], bool):
            self.add(f"{where}/multiline", "must be a boolean")

    def element(self, el: Any, where: str, action_ids: set[str], allowed: tuple[str, ...]) -> None:
        if not isinstance(el, Mapping):
            self.add(where, "must be an element object")
            return
        kind = el.get("type")
        if kind not in allowed:
            self.add(f"{where}/type", f"element type {kind!r} not allowed here")
        elif kind == "button":
            self.button(el, where, action_ids)
        elif kind in ("plain_text", "mrkdwn"):
            self.text(el, where)

    def block(self, block: Any, where: str, surface: str, block_ids: set[str]) -> None:
        if not isinstance(block, Mapping):
            self.add(where, "must be a block object")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.string(block_id, f"{where}/block_id", BLOCK_ID)
            if isinstance(block_id, str):
                if block_id in block_ids:
                    self.add(f"{where}/block_id", f"block_id {block_id!r} already exists")
                block_ids.add(block_id)
        kind = block.get("type")
        action_ids: set[str] = set()
        if kind == "header":
            self.text(block.get("text"), f"{where}/text", HEADER_TEXT, plain_only=True)
        elif kind == "divider":
            pass
        elif kind == "section":
            self.section(block, where, action_ids)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self.add(f"{where}/elements", "must be a non-empty list")
                return
            if len(elements) > CONTEXT_ELEMENTS:
                self.add(f"{where}/elements", f"must have at most {CONTEXT_ELEMENTS} items")
            for i, el in enumerate(elements):
                self.element(el, f"{where}/elements/{i}", action_ids, ("plain_text", "mrkdwn"))
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self.add(f"{where}/elements", "must be a non-empty list")
                return
            if len(elements) > ACTIONS_ELEMENTS:
                self.add(f"{where}/elements", f"must have at most {ACTIONS_ELEMENTS} items")
            for i, el in enumerate(elements):
                self.element(el, f"{where}/elements/{i}", action_ids, ("button",))
        elif kind == "input" and surface == "modal":
            self.text(block.get("label"), f"{where}/label", INPUT_LABEL, plain_only=True)
            if "hint" in block:
                self.text(block["hint"], f"{where}/hint", INPUT_HINT, plain_only=True)
            el = block.get("element")
            if not isinstance(el, Mapping) or el.get("type") != "plain_text_input":
                self.add(f"{where}/element", "must be a plain_text_input")
            else:
                self.plain_text_input(el, f"{where}/element")
        else:
            self.add(f"{where}/type", f"block type {kind!r} not allowed in a {surface}")

    def section(self, block: Mapping[str, Any], where: str, action_ids: set[str]) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            self.add(where, "a section needs text or fields")
        if text is not None:
            self.text(text, f"{where}/text", SECTION_TEXT)
        if fields is not None:
            if not isinstance(fields, list) or not fields:
                self.add(f"{where}/fields", "must be a non-empty list")
            else:
                if len(fields) > SECTION_FIELDS:
                    self.add(f"{where}/fields", f"must have at most {SECTION_FIELDS} items")
                for i, field in enumerate(fields):
                    self.text(field, f"{where}/fields/{i}", FIELD_TEXT)
        if "accessory" in block:
            self.element(block["accessory"], f"{where}/accessory", action_ids, ("button",))

    def blocks(self, blocks: Any, surface: str, limit: int) -> None:
        if not isinstance(blocks, list):
            self.add("/blocks", "must be a list")
            return
        if len(blocks) > limit:
            self.add("/blocks", f"must have at most {limit} items")
        block_ids: set[str] = set()
        for i, block in enumerate(blocks):
            self.block(block, f"/blocks/{i}", surface, block_ids)


def message_problems(blocks: Any, text: Any = None) -> list[str]:
    """What Slack would refuse in a message's blocks (and fallback text); empty when valid."""
    checker = _Checker()
    checker.blocks(blocks, "message", MESSAGE_BLOCKS)
    if text is not None:
        checker.string(text, "/text", MESSAGE_TEXT, min_len=0)
    return checker.problems


def view_problems(view: Any) -> list[str]:
    """What Slack would refuse in a modal view; empty when valid."""
    checker = _Checker()
    if not isinstance(view, Mapping):
        checker.add("/view", "must be a view object")
        return checker.problems
    if view.get("type") != "modal":
        checker.add("/view/type", "must be modal")
    checker.text(view.get("title"), "/view/title", VIEW_TITLE, plain_only=True)
    for key in ("submit", "close"):
        if key in view:
            checker.text(view[key], f"/view/{key}", VIEW_TITLE, plain_only=True)
    checker.string(view.get("callback_id"), "/view/callback_id", CALLBACK_ID, required=False)
    checker.string(
        view.get("private_metadata"),
        "/view/private_metadata",
        PRIVATE_METADATA,
        required=False,
        min_len=0,
    )
    blocks = view.get("blocks")
    checker.blocks(blocks, "modal", MODAL_BLOCKS)
    if (
        isinstance(blocks, list)
        and any(isinstance(b, Mapping) and b.get("type") == "input" for b in blocks)
        and "submit" not in view
    ):
        checker.add("/view/submit", "a modal with inputs needs a submit button")
    # Pointers inside a view start at /view.
    return [
        p.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks") for p in checker.problems
    ]

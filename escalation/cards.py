"""Block Kit for agents: the case card, thread messages and the write-to-customer modal.

Pure functions, no I/O. Everything a customer (or the bot, echoing a customer) wrote is
escaped and sent with verbatim mrkdwn, so it cannot mention @channel, a user or a link.
Every text is trimmed to Slack's limits with an ellipsis rather than refused, so a long
transcript never stops a card from reaching the agents. Agent-facing text is English.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from escalation import block_limits as lim
from escalation.model import (
    CLOSE_MODAL,
    CLOSE_REASON_MAX,
    WRITE_BLOCK,
    WRITE_INPUT,
    WRITE_MODAL,
    Act,
    Case,
    CaseFile,
    CaseState,
    Message,
    Status,
    Suggestion,
    Why,
)
from herstel.money import Money
from policies import Level

ELLIPSIS = "…"
MAX_SUGGESTIONS = 10  # one section each; the card stays far below 50 blocks
MAX_LINES = 15
MAX_HISTORY = 10
MESSAGE_SHARE = 600  # at most this much of one message in the card's transcript
THREAD_SECTIONS = 40  # a thread message splits long text over at most this many sections

WHY = {
    Why.ABOVE_MANDATE: "Above the bot's mandate",
    Why.CUSTOMER_ASKED: "Customer asked for a person",
    Why.MISUNDERSTOOD: "The bot misunderstood twice",
    Why.FRUSTRATION: "Strong frustration",
    Why.CARRIER_FACTS: "Carrier facts need a person",
    Why.HIGH_VALUE: "High-value order",
    Why.GRANT_FAILED: "The bot's gesture could not be carried out",
}
LANGUAGES = {"nl": "Dutch", "en": "English"}
CARRIERS = {"postnl": "PostNL", "dhl": "DHL"}
SPEAKERS = {"customer": "Customer", "bot": "Bot", "agent": "Agent"}
WITHIN_MANDATE = "within an agent's mandate"
NEEDS_LEAD = "needs a lead"

_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,30}")


# --- text helpers ------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's three control characters, so customer text cannot form <!channel> or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """text cut to at most limit (Slack-counted) characters, ending in an ellipsis if cut.

    Never cuts an escape like &amp; in half: a cut entity would show as garbage.
    """
    if lim.slack_len(text) <= limit:
        return text
    budget = limit - lim.slack_len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for char in text:
        size = lim.slack_len(char)
        if used + size > budget:
            break
        kept.append(char)
        used += size
    cut = "".join(kept)
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and re.fullmatch(r"&[a-z]{0,3}", cut[amp:]):
        cut = cut[:amp]
    return cut + ELLIPSIS


def safe(text: str, limit: int) -> str:
    """Customer-provided text, escaped and trimmed: ready for a mrkdwn text object."""
    return clip(escape(text), limit)


def one_line(text: str) -> str:
    return " ".join(text.split())


def _mrkdwn(text: str, limit: int = lim.SECTION_TEXT) -> dict[str, Any]:
    # verbatim: no auto-linking of bare URLs, channel names or mentions in what we pass on.
    return {"type": "mrkdwn", "text": clip(text, limit) or "-", "verbatim": True}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text.strip() or "-", limit), "emoji": True}


def _section(block_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "block_id": block_id, "text": _mrkdwn(text), **extra}


def _context(block_id: str, *texts: str) -> dict[str, Any]:
    elements = [_mrkdwn(t) for t in texts[: lim.CONTEXT_ELEMENTS]]
    return {"type": "context", "block_id": block_id, "elements": elements}


def _fit_lines(title: str, lines: Sequence[str], more: int = 0) -> str:
    """A title and as many whole lines as fit in one section, saying how many were left out."""
    text = title
    for i, line in enumerate(lines):
        after = len(lines) - i - 1 + more  # left out if we stop after this line
        note = f"\n_…and {after} more_" if after else ""
        if lim.slack_len(f"{text}\n{line}{note}") > lim.SECTION_TEXT:
            return clip(f"{text}\n_…and {after + 1} more_", lim.SECTION_TEXT)
        text = f"{text}\n{line}"
    if more:
        text += f"\n_…and {more} more_"
    return text


def _utc(at: datetime) -> datetime:
    """Aware in UTC; a naive time is taken to be UTC already."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _when(at: datetime, token: str = "{date_short_pretty} {time}") -> str:
    """A date Slack shows in each agent's own time zone; the fallback is UTC."""
    at = _utc(at)
    fallback = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{token}|{fallback}>"


def _who(user_id: str | None, name: str | None = None) -> str:
    if user_id and _SLACK_USER.fullmatch(user_id):
        return f"<@{user_id}>"
    return safe(name or user_id or "someone", 100)


def _money(amount: Money | None) -> str:
    return amount.format("en") if amount is not None else "unknown"


def _label(kind: str) -> str:
    words = one_line(kind.replace("_", " "))
    return words[:1].upper() + words[1:] if words else "Gesture"


def button_text(suggestion: Suggestion) -> str:
    """E.g. "Voucher €10"; free gestures (an apology) without an amount."""
    label = _label(suggestion.kind)
    if suggestion.cost.minor:
        label = f"{label} {suggestion.cost.format('en')}"
    return label


def mandate_label(level: Level) -> str:
    return NEEDS_LEAD if level == Level.LEAD else WITHIN_MANDATE


def _button(
    text: str, action_id: str, value: str, style: str | None = None, **extra: Any
) -> dict[str, Any] | None:
    # A value that does not fit cannot be trimmed (it would route elsewhere): no button.
    if lim.slack_len(value) > lim.BUTTON_VALUE:
        return None
    button = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(text, lim.BUTTON_TEXT),
        "value": value,
        **extra,
    }
    if style:
        button["style"] = style
    return button


# --- the case card -----------------------------------------------------------------------


def case_card(case: Case, *, show_names: bool = False) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments: fallback text and blocks for one case."""
    file, state = case.file, case.state
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": "head",
            "text": _plain(_headline(file), lim.HEADER_TEXT),
        },
        _context(
            "status",
            _status_line(state),
            f"Case `{safe(file.case_id, 200)}`",
            f"Opened {_when(file.opened_at)}",
        ),
        _facts(file, show_names),
    ]
    if file.lines:
        blocks.append(_lines(file))
    if file.carrier is not None:
        blocks.append(_carrier(file))
    blocks.append({"type": "divider", "block_id": "div_talk"})
    if file.summary.strip():
        blocks.append(_section("summary", f"*Summary*\n{safe(file.summary, 2900)}"))
    if file.last_messages:
        blocks.append(_section("messages", _transcript(file.last_messages)))
    blocks.append(_history(file))
    blocks.append(_decision(file))
    blocks.append({"type": "divider", "block_id": "div_act"})
    if state.status == Status.RESOLVED:
        blocks.append(_outcome(state))
    else:
        blocks.extend(_suggestions(file))
        blocks.append(_controls(file.case_id, state))
    return {"text": _fallback(file, state), "blocks": blocks}


def _headline(file: CaseFile) -> str:
    head = WHY.get(file.why, "Escalated")
    if file.order_number:
        head += f": order {one_line(file.order_number)}"
    return head


def _fallback(file: CaseFile, state: CaseState) -> str:
    # Shown in notifications: no customer text, no names.
    order = f", order {safe(one_line(file.order_number), 60)}" if file.order_number else ""
    return clip(f"{WHY.get(file.why, 'Escalated')}{order} ({state.status.value})", 500)


def _status_line(state: CaseState) -> str:
    match state.status:
        case Status.OPEN:
            return "*Open*: waiting for an agent"
        case Status.CLAIMED:
            return f"Claimed by {_who(state.owner, state.owner_name)}"
        case Status.TAKEN_OVER:
            return (
                f"Taken over by {_who(state.owner, state.owner_name)}: the bot is silent, "
                "the customer's messages appear in this thread"
            )
        case Status.RESOLVED:
            return f"*Resolved* by {_who(state.decided_by)}"
    return state.status.value


def _facts(file: CaseFile, show_names: bool) -> dict[str, Any]:
    customer = f"`{safe(file.customer_ref, 200)}`"
    if show_names and file.customer_name and file.customer_name.strip():
        customer = f"{safe(one_line(file.customer_name), 200)} ({customer})"
    language = LANGUAGES.get(file.language, file.language)
    fields = [
        f"*Customer*\n{customer}",
        f"*Channel · language*\n{safe(file.channel, 200)} · {safe(language, 100)}",
        f"*Order*\n{safe(file.order_number, 200) if file.order_number else '_not known_'}",
        f"*Value*\n{_money(file.order_value) if file.order_value is not None else '_not known_'}",
    ]
    if file.complaint_type:
        fields.append(f"*Complaint*\n{safe(_label(file.complaint_type), 200)}")
    if file.product and file.product.strip():
        fields.append(f"*Product (customer's words)*\n{safe(one_line(file.product), 300)}")
    if file.damage:
        fields.append(f"*Damage*\n{safe(_label(file.damage), 100)}")
    return {
        "type": "section",
        "block_id": "facts",
        "fields": [_mrkdwn(f, lim.FIELD_TEXT) for f in fields],
    }


def _lines(file: CaseFile) -> dict[str, Any]:
    shown = file.lines[:MAX_LINES]
    lines = [
        f"• {line.quantity} × {safe(one_line(line.name), 200)}: {_money(line.total)}"
        for line in shown
    ]
    return _section("lines", _fit_lines("*Items*", lines, len(file.lines) - len(shown)))


def _hours(hours: float | None) -> str | None:
    if hours is None or not math.isfinite(hours):
        return None
    if hours <= 0:
        return "on time"
    return f"{round(hours, 1):g} h late"


def _carrier(file: CaseFile) -> dict[str, Any]:
    c = file.carrier
    assert c is not None
    carrier = CARRIERS.get(c.carrier, c.carrier)
    parts = [f"*Carrier*: {safe(carrier, 100)} · {safe(_label(c.status), 200)}"]
    if c.window:
        parts.append(f"*Window*: {safe(c.window, 300)}")
    late = _hours(c.hours_late)
    if late:
        parts.append(f"*Against the promise*: {late}")
    parts.append(f"*Evidence*: {safe(_label(c.evidence), 300)}")
    if c.last_event:
        parts.append(f"*Last event*: {safe(c.last_event, 1000)}")
    return _section("carrier", "\n".join(parts))


def _transcript(messages: Sequence[Message]) -> str:
    """The most recent messages that fit, oldest first, each trimmed to its share."""
    title = "*Last messages*"
    chosen: list[str] = []
    used = lim.slack_len(title) + 40  # room for the "earlier messages" note
    for m in reversed(messages):
        speaker = SPEAKERS.get(m.speaker, _label(m.speaker))
        said = safe(one_line(m.text), MESSAGE_SHARE) or "_(empty)_"
        line = f"*{safe(speaker, 40)}* ({_when(m.at, '{time}')}): {said}"
        size = lim.slack_len(line) + 1
        if used + size > lim.SECTION_TEXT:
            break
        chosen.append(line)
        used += size
    left_out = len(messages) - len(chosen)
    head = title + (f"\n_{left_out} earlier not shown_" if left_out else "")
    return clip("\n".join([head, *reversed(chosen)]), lim.SECTION_TEXT)


def _history(file: CaseFile) -> dict[str, Any]:
    title = "*Earlier gestures for this customer*"
    if not file.history:
        return _section("history", f"{title}\n_none_")
    recent = sorted(file.history, key=lambda h: _utc(h.at), reverse=True)[:MAX_HISTORY]
    lines = [
        f"• {_when(h.at, '{date_short}')} {safe(_label(h.kind), 100)} "
        f"{_money(h.amount)} (by {_who(h.decided_by)})"
        for h in recent
    ]
    return _section("history", _fit_lines(title, lines, len(file.history) - len(recent)))


def _decision(file: CaseFile) -> dict[str, Any]:
    version = (
        f" (policy version `{safe(file.mandate_version, 100)}`)" if file.mandate_version else ""
    )
    title = f"*Mandate decision*{version}"
    reasons = [f"• {safe(one_line(r), 500)}" for r in file.decision_reasons if r.strip()]
    return _section("decision", _fit_lines(title, reasons or ["_no reasons recorded_"]))


def _suggestions(file: CaseFile) -> list[dict[str, Any]]:
    if not file.suggestions:
        return [_section("offers", "*Suggested actions*\n_none: decide and write to the customer_")]
    blocks = [_section("offers", "*Suggested actions*, best first")]
    shown = file.suggestions[:MAX_SUGGESTIONS]
    for rank, s in enumerate(shown, start=1):
        blocks.append(_suggestion(file.case_id, rank, s))
    if len(file.suggestions) > len(shown):
        blocks.append(
            _context("offers_more", f"_{len(file.suggestions) - len(shown)} more not shown_")
        )
    return blocks


def _suggestion(case_id: str, rank: int, s: Suggestion) -> dict[str, Any]:
    label = button_text(s)
    text = f"*{rank}. {safe(label, 200)}*: {mandate_label(s.level)}"
    if s.description.strip():
        text += f"\n{safe(one_line(s.description), 500)}"
    reasons = [safe(one_line(r), 300) for r in s.reasons if r.strip()]
    if reasons:
        text += "\n_" + clip("; ".join(reasons), 2000) + "_"
    confirm = {
        "title": _plain("Grant this gesture?", lim.CONFIRM_TITLE),
        "text": _plain(f"{label} for this customer, carried out at once.", lim.CONFIRM_TEXT),
        "confirm": _plain("Grant", lim.CONFIRM_BUTTON),
        "deny": _plain("Cancel", lim.CONFIRM_BUTTON),
    }
    style = "primary" if rank == 1 and s.level != Level.LEAD else None
    # One grant button per section: Slack refuses two equal action_ids in one block.
    button = _button(label, Act.GRANT, f"{case_id}|{s.key}", style, confirm=confirm)
    block = _section(f"offer_{rank}", text)
    if button is not None:
        block["accessory"] = button
    return block


def _controls(case_id: str, state: CaseState) -> dict[str, Any]:
    candidates: list[dict[str, Any] | None] = []
    if state.status == Status.OPEN:
        candidates.append(_button("Claim", Act.CLAIM, case_id, "primary"))
    candidates.append(_button("Write to customer", Act.WRITE, case_id))
    if state.status == Status.TAKEN_OVER:
        candidates.append(_button("Hand back to the bot", Act.HAND_BACK, case_id))
    else:
        candidates.append(_button("Take over", Act.TAKE_OVER, case_id))
    candidates.append(_button("Close without a gesture", Act.CLOSE, case_id, "danger"))
    elements = [b for b in candidates if b is not None]
    if not elements:  # a case id too long for a button: say so rather than send nothing
        return _context("controls", "_This case cannot be handled from Slack._")
    return {"type": "actions", "block_id": "controls", "elements": elements}


def _outcome(state: CaseState) -> dict[str, Any]:
    text = f"*Outcome*: {safe(state.outcome or 'resolved', 2000)}"
    who = _who(state.decided_by) if state.decided_by else "unknown"
    when = f" {_when(state.decided_at)}" if state.decided_at else ""
    return _section("outcome", f"{text}\nDecided by {who}{when}")


# --- thread messages and the modal --------------------------------------------------------


def thread_message(message: Message) -> dict[str, Any]:
    """A customer message or an agent reply, for the card's thread."""
    speaker = SPEAKERS.get(message.speaker, _label(message.speaker))
    body = escape(message.text.strip()) or "_(empty message)_"
    chunks = list(_chunks(body, lim.SECTION_TEXT))
    if len(chunks) > THREAD_SECTIONS:  # over 100,000 characters: end with an ellipsis
        last = chunks[THREAD_SECTIONS - 1]
        chunks = [*chunks[: THREAD_SECTIONS - 1], clip(last, lim.slack_len(last) - 1)]
    blocks: list[dict[str, Any]] = [
        _context("from", f"*{safe(speaker, 40)}* · {_when(message.at)}")
    ]
    blocks += [_section(f"text_{i}", chunk) for i, chunk in enumerate(chunks)]
    fallback = f"{speaker}: {clip(body, 2000)}"
    return {"text": fallback, "blocks": blocks}


def _chunks(text: str, size: int) -> Iterable[str]:
    """Pieces of at most size, never splitting an escape like &lt; or a surrogate pair."""
    rest = text
    while rest:
        if lim.slack_len(rest) <= size:
            yield rest
            return
        cut = clip(rest, size + 1)[:-1]  # the longest safe prefix, without the ellipsis
        if not cut:  # cannot happen with size >= 5, but never loop forever
            cut = rest[:1]
        yield cut
        rest = rest[len(cut) :]


def close_modal(case: Case) -> dict[str, Any]:
    """views.open's view: why the case is closed without a gesture (kept on its moment)."""
    return {
        "type": "modal",
        "callback_id": CLOSE_MODAL,
        "private_metadata": case.file.case_id,
        "title": _plain("Close without a gesture", lim.VIEW_TITLE),
        "submit": _plain("Close the case", lim.VIEW_TITLE),
        "close": _plain("Cancel", lim.VIEW_TITLE),
        "blocks": [
            _context(
                "explain",
                "The customer is told a colleague closed the case without a further gesture, "
                "and is asked how it went. Your reason stays with the case for the team.",
            ),
            {
                "type": "input",
                "block_id": WRITE_BLOCK,
                "label": _plain("Reason", lim.INPUT_LABEL),
                "element": {
                    "type": "plain_text_input",
                    "action_id": WRITE_INPUT,
                    "multiline": True,
                    "max_length": CLOSE_REASON_MAX,
                    "placeholder": _plain("e.g. the parcel arrived after all", lim.PLACEHOLDER),
                },
            },
        ],
    }


def write_modal(case: Case) -> dict[str, Any]:
    """views.open's view: one text box for a personal message, in the customer's language."""
    file = case.file
    language = LANGUAGES.get(file.language, file.language)
    return {
        "type": "modal",
        "callback_id": WRITE_MODAL,
        "private_metadata": file.case_id,
        "title": _plain("Write to customer", lim.VIEW_TITLE),
        "submit": _plain("Send to customer", lim.VIEW_TITLE),
        "close": _plain("Cancel", lim.VIEW_TITLE),
        "blocks": [
            _context(
                "language",
                f"The customer writes in *{safe(language, 100)}*: write your message in "
                f"{safe(language, 100)}. It reaches the customer as you type it.",
            ),
            {
                "type": "input",
                "block_id": WRITE_BLOCK,
                "label": _plain("Message", lim.INPUT_LABEL),
                "element": {
                    "type": "plain_text_input",
                    "action_id": WRITE_INPUT,
                    "multiline": True,
                    "max_length": lim.INPUT_MAX_LENGTH,
                    "placeholder": _plain(f"Your message in {language}", lim.PLACEHOLDER),
                },
            },
        ],
    }

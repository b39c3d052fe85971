"""Case cards, thread messages and the write modal: content, state, safety and Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation.block_limits import message_problems, view_problems
from escalation.cards import case_card, close_modal, thread_message, write_modal
from escalation.interactivity import parse_interaction
from escalation.model import (
    CLOSE_MODAL,
    CLOSE_REASON_MAX,
    WRITE_BLOCK,
    WRITE_INPUT,
    WRITE_MODAL,
    Act,
    CarrierFacts,
    Case,
    CaseFile,
    CaseState,
    Line,
    Message,
    PastGesture,
    Status,
    Suggestion,
    Why,
)
from herstel.money import Money
from policies import Level
from tests.unit.escalation.cases import AGENT, NOW, a_case, a_case_file

INJECTION = "<!channel> <@U0BOSS> <https://evil.example|click> & more"


def elements(card: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every interactive element on a card: actions' elements and section accessories."""
    for block in card["blocks"]:
        if block["type"] == "actions":
            yield from block["elements"]
        if "accessory" in block:
            yield block["accessory"]


def buttons(card: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [e for e in elements(card) if e["action_id"] == action_id]


def block(card: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in card["blocks"] if b.get("block_id") == block_id)


def text_of(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def assert_valid(card: dict[str, Any]) -> None:
    assert message_problems(card["blocks"], card["text"]) == []


# --- content -----------------------------------------------------------------------------


def test_an_open_card_shows_the_case_an_agent_decides_on() -> None:
    card = case_card(a_case())
    assert_valid(card)
    assert block(card, "head")["text"]["text"] == "Above the bot's mandate: order 100482"
    facts = " ".join(f["text"] for f in block(card, "facts")["fields"])
    assert "cus-9c21" in facts and "webchat" in facts and "Dutch" in facts
    assert "100482" in facts and "€899" in facts
    assert "1 × laptop: €899" in block(card, "lines")["text"]["text"]
    carrier = block(card, "carrier")["text"]["text"]
    for fact in ("PostNL", "Out for delivery", "10:00-12:00", "1.5 h late", "Late", "Out for"):
        assert fact in carrier
    assert "customer needs it for work" in block(card, "summary")["text"]["text"]
    transcript = block(card, "messages")["text"]["text"]
    assert "*Customer*" in transcript and "ik wil mijn geld terug" in transcript
    assert "*Bot*" in transcript
    assert "Voucher €5" in block(card, "history")["text"]["text"]
    decision = block(card, "decision")["text"]["text"]
    assert "2026-11-01" in decision and "above the bot's mandate" in decision


def test_the_fallback_text_tells_why_without_personal_data() -> None:
    card = case_card(a_case(), show_names=True)
    assert card["text"] == "Above the bot's mandate, order 100482 (open)"


def test_names_appear_only_when_configured() -> None:
    assert "Anna de Vries" not in text_of(case_card(a_case()))
    assert "Anna de Vries (`cus-9c21`)" in text_of(case_card(a_case(), show_names=True))
    assert "Anna" not in text_of(case_card(a_case(customer_name=None), show_names=True))


def test_suggestions_are_ranked_labelled_and_one_click() -> None:
    card = case_card(a_case())
    offers = [block(card, f"offer_{i}") for i in (1, 2, 3)]
    assert offers[0]["text"]["text"].startswith("*1. Voucher €10*: within an agent's mandate")
    assert offers[1]["text"]["text"].startswith("*2. Shipping refund €4.95*: within an agent's")
    assert offers[2]["text"]["text"].startswith("*3. Partial refund €90*: needs a lead")
    grants = buttons(card, Act.GRANT)
    assert [g["text"]["text"] for g in grants] == [
        "Voucher €10",
        "Shipping refund €4.95",
        "Partial refund €90",
    ]
    assert [g["value"] for g in grants] == [
        "esc-100482-1|voucher:1",
        "esc-100482-1|shipping_refund:1",
        "esc-100482-1|partial_refund:1",
    ]
    assert all("confirm" in g for g in grants)


def test_a_free_gesture_has_no_amount_on_its_button() -> None:
    apology = Suggestion("apology:1", "apology", Money.zero(), Level.BOT)
    card = case_card(a_case(suggestions=(apology,)))
    assert [b["text"]["text"] for b in buttons(card, Act.GRANT)] == ["Apology"]


def test_no_suggestions_still_leaves_the_agent_a_way_forward() -> None:
    card = case_card(a_case(suggestions=()))
    assert_valid(card)
    assert buttons(card, Act.GRANT) == []
    assert buttons(card, Act.WRITE)


@pytest.mark.parametrize(
    ("status", "controls"),
    [
        (Status.OPEN, [Act.CLAIM, Act.WRITE, Act.TAKE_OVER, Act.CLOSE]),
        (Status.CLAIMED, [Act.WRITE, Act.TAKE_OVER, Act.CLOSE]),
        (Status.TAKEN_OVER, [Act.WRITE, Act.HAND_BACK, Act.CLOSE]),
    ],
)
def test_controls_follow_the_state(status: Status, controls: list[Act]) -> None:
    card = case_card(a_case(status))
    assert_valid(card)
    row = block(card, "controls")
    assert [e["action_id"] for e in row["elements"]] == controls
    assert all(e["value"] == "esc-100482-1" for e in row["elements"])
    assert len(buttons(card, Act.GRANT)) == 3


def test_a_claimed_card_says_who_owns_it() -> None:
    status = block(case_card(a_case(Status.CLAIMED)), "status")["elements"][0]["text"]
    assert status == f"Claimed by <@{AGENT}>"
    taken = block(case_card(a_case(Status.TAKEN_OVER)), "status")["elements"][0]["text"]
    assert taken.startswith(f"Taken over by <@{AGENT}>")


def test_an_owner_that_is_not_a_slack_user_is_shown_as_text() -> None:
    case = a_case(Status.CLAIMED)
    case = Case(case.file, case.state.but(owner="inbox:<!here>", owner_name=None))
    status = block(case_card(case), "status")["elements"][0]["text"]
    assert status == "Claimed by inbox:&lt;!here&gt;"


def test_a_resolved_card_tells_the_outcome_and_nothing_stays_clickable() -> None:
    card = case_card(a_case(Status.RESOLVED))
    assert_valid(card)
    assert list(elements(card)) == []
    assert all(b["type"] != "actions" for b in card["blocks"])
    assert '"type": "button"' not in text_of(card)
    outcome = block(card, "outcome")["text"]["text"]
    assert "Voucher €10 granted" in outcome
    assert f"Decided by <@{AGENT}>" in outcome
    assert "<!date^" in outcome and "2026-11-20 11:35 UTC" in outcome
    assert card["text"].endswith("(resolved)")


@pytest.mark.parametrize("status", list(Status))
def test_every_state_renders_within_limits(status: Status) -> None:
    assert_valid(case_card(a_case(status), show_names=True))


def test_block_ids_are_unique() -> None:
    ids = [b["block_id"] for b in case_card(a_case())["blocks"]]
    assert len(ids) == len(set(ids))


# --- round trip through Slack ------------------------------------------------------------


def click(button: dict[str, Any]) -> bytes:
    """The form body Slack would POST when an agent clicks this button."""
    payload = {
        "type": "block_actions",
        "user": {"id": AGENT, "username": "sam"},
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": "C1"},
        "actions": [{**button, "block_id": "offer_1", "action_ts": "1.2"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_every_button_value_round_trips_through_parse_interaction() -> None:
    card = case_card(a_case())
    for grant, key in zip(
        buttons(card, Act.GRANT),
        ("voucher:1", "shipping_refund:1", "partial_refund:1"),
        strict=True,
    ):
        got = parse_interaction(click(grant))
        assert (got.action_id, got.case_id, got.offer_key) == (Act.GRANT, "esc-100482-1", key)
        assert a_case_file().suggestion(got.offer_key) is not None
    for control in block(card, "controls")["elements"]:
        got = parse_interaction(click(control))
        assert (got.action_id, got.case_id) == (control["action_id"], "esc-100482-1")


# --- safety: escaping and trimming ---------------------------------------------------------


def test_customer_text_cannot_mention_or_link() -> None:
    case = a_case(
        Status.RESOLVED,
        summary=INJECTION,
        customer_ref=INJECTION,
        customer_name=INJECTION,
        order_number=INJECTION,
        lines=(Line(INJECTION, 1, Money.of("1")),),
        carrier=CarrierFacts("postnl", "lost", "lost", window=INJECTION, last_event=INJECTION),
        last_messages=(Message("customer", INJECTION, NOW),),
        decision_reasons=(INJECTION,),
        product=INJECTION,
    )
    case = Case(case.file, case.state.but(outcome=INJECTION))
    for card in (case_card(case, show_names=True), case_card(a_case(summary=INJECTION))):
        assert_valid(card)
        mrkdwn = [t for t in _texts(card) if t["type"] == "mrkdwn"]
        for t in mrkdwn:
            assert "<!channel>" not in t["text"] and "<@U0BOSS>" not in t["text"]
            assert "<https://evil" not in t["text"]
            assert t["verbatim"] is True
        assert "&lt;!channel&gt;" in text_of(card)
        assert "<!channel>" not in card["text"]


def test_a_thread_message_escapes_customer_text() -> None:
    message = thread_message(Message("customer", INJECTION, NOW))
    assert message_problems(message["blocks"], message["text"]) == []
    assert "<!channel>" not in text_of(message)
    assert "&lt;!channel&gt; &lt;@U0BOSS&gt;" in message["blocks"][1]["text"]["text"]
    assert "&lt;!channel&gt;" in message["text"]


def _texts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
            yield value
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)


def test_a_huge_transcript_is_trimmed_to_the_latest_messages() -> None:
    messages = tuple(
        Message("customer", f"message {i} " + "waar is mijn pakket & " * 500, NOW)
        for i in range(300)
    )
    card = case_card(a_case(last_messages=messages, summary="s" * 10_000))
    assert_valid(card)
    transcript = block(card, "messages")["text"]["text"]
    assert "message 299 " in transcript  # the most recent is always there
    assert "message 0 " not in transcript
    assert "earlier not shown" in transcript
    assert "…" in transcript
    assert "&am…" not in transcript and "&…" not in transcript  # no half escapes
    assert block(card, "summary")["text"]["text"].endswith("…")


def test_everything_at_once_too_long_still_fits() -> None:
    many = tuple(
        Suggestion(
            f"voucher:{i}", "voucher" * 20, Money(100 * i), Level.AGENT, ("r" * 900,) * 5, "d" * 900
        )
        for i in range(1, 60)
    )
    case = a_case(
        Status.TAKEN_OVER,
        order_number="9" * 400,
        lines=tuple(Line("product " * 40, 3, Money.of("12.50")) for _ in range(400)),
        history=tuple(
            PastGesture(NOW - timedelta(days=i), "voucher", Money.of("5"), "bot")
            for i in range(200)
        ),
        decision_reasons=("reason " * 100,) * 80,
        suggestions=many,
        carrier=CarrierFacts("dhl", "x" * 5000, "y" * 5000, "w" * 5000, 1e9, "z" * 5000),
    )
    card = case_card(case, show_names=True)
    assert_valid(card)
    assert len(card["blocks"]) <= 50
    assert len(buttons(card, Act.GRANT)) == 10
    assert "49 more not shown" in text_of(card)
    lines = block(card, "lines")["text"]["text"]
    shown = lines.count("• 3 × ")
    assert shown >= 10 and f"_…and {400 - shown} more_" in lines


def test_a_grant_whose_value_cannot_fit_gets_no_button_rather_than_a_wrong_one() -> None:
    huge = Suggestion("k" * 3000, "voucher", Money.of("10"), Level.AGENT)
    card = case_card(a_case(suggestions=(huge,)))
    assert_valid(card)
    assert buttons(card, Act.GRANT) == []


def test_a_long_thread_message_is_split_not_lost() -> None:
    text = "Ik wacht al drie dagen & ik ben boos. " * 300  # ~11,000 characters
    message = thread_message(Message("customer", text, NOW))
    assert message_problems(message["blocks"], message["text"]) == []
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) > 3
    assert "".join(sections) == text.strip().replace("&", "&amp;")


def test_an_enormous_thread_message_ends_in_an_ellipsis() -> None:
    message = thread_message(Message("agent", "a" * 200_000, NOW))
    assert message_problems(message["blocks"], message["text"]) == []
    assert len(message["blocks"]) <= 50
    assert message["blocks"][-1]["text"]["text"].endswith("…")


# --- the modal -------------------------------------------------------------------------------


def test_the_write_modal() -> None:
    view = write_modal(a_case())
    assert view_problems(view) == []
    assert (view["type"], view["callback_id"], view["private_metadata"]) == (
        "modal",
        WRITE_MODAL,
        "esc-100482-1",
    )
    assert view["submit"]["text"] == "Send to customer"
    field = next(b for b in view["blocks"] if b.get("block_id") == WRITE_BLOCK)
    assert field["type"] == "input"
    assert field["element"]["action_id"] == WRITE_INPUT
    assert field["element"]["multiline"] is True
    assert field["element"]["max_length"] == 3000
    assert "write your message in Dutch" in text_of(view)
    assert "write your message in English" in text_of(write_modal(a_case(language="en")))


def test_the_close_modal_asks_for_a_reason() -> None:
    view = close_modal(a_case())
    assert view_problems(view) == []
    assert (view["callback_id"], view["private_metadata"]) == (CLOSE_MODAL, "esc-100482-1")
    field = next(b for b in view["blocks"] if b.get("block_id") == WRITE_BLOCK)
    assert field["element"]["action_id"] == WRITE_INPUT
    assert field["element"]["max_length"] == CLOSE_REASON_MAX
    assert view["submit"]["text"] == "Close the case"


# --- property: whatever the case file, the card fits -----------------------------------------

texts = st.text(max_size=400)
big_texts = st.text(max_size=5000)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
money = st.builds(
    Money, st.integers(min_value=0, max_value=10**12), st.sampled_from(["EUR", "GBP"])
)
ids = st.text(
    alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=128,
)

case_files = st.builds(
    CaseFile,
    case_id=ids,
    conversation_ref=texts,
    customer_ref=texts,
    channel=texts,
    language=st.sampled_from(["nl", "en", "de", ""]),
    why=st.sampled_from(Why),
    opened_at=moments,
    complaint_type=st.none() | texts,
    customer_name=st.none() | texts,
    order_number=st.none() | texts,
    order_value=st.none() | money,
    lines=st.lists(st.builds(Line, texts, st.integers(0, 10**6), money), max_size=30).map(tuple),
    carrier=st.none()
    | st.builds(
        CarrierFacts,
        texts,
        texts,
        texts,
        st.none() | big_texts,
        st.none() | st.floats(allow_nan=True, allow_infinity=True),
        st.none() | big_texts,
    ),
    summary=big_texts,
    last_messages=st.lists(
        st.builds(Message, st.sampled_from(["customer", "bot", "agent", "x"]), big_texts, moments),
        max_size=30,
    ).map(tuple),
    history=st.lists(st.builds(PastGesture, moments, texts, money, texts), max_size=20).map(tuple),
    decision_reasons=st.lists(big_texts, max_size=10).map(tuple),
    mandate_version=st.none() | texts,
    suggestions=st.lists(
        st.builds(
            Suggestion,
            texts,
            texts,
            money,
            st.sampled_from(Level),
            st.lists(texts, max_size=5).map(tuple),
            texts,
        ),
        max_size=20,
    ).map(tuple),
    product=st.none() | texts,
    damage=st.none() | texts,
)
states = st.builds(
    CaseState,
    status=st.sampled_from(Status),
    owner=st.none() | st.sampled_from([AGENT, "W012ABC"]) | texts,
    owner_name=st.none() | texts,
    outcome=st.none() | big_texts,
    decided_by=st.none() | texts,
    decided_at=st.none() | moments,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=case_files, state=states, show_names=st.booleans())
def test_any_case_file_makes_a_card_within_limits(
    file: CaseFile, state: CaseState, show_names: bool
) -> None:
    card = case_card(Case(file, state), show_names=show_names)
    assert_valid(card)
    json.dumps(card)  # serialisable as slack_sdk sends it
    if state.status == Status.RESOLVED:
        assert list(elements(card)) == []
    for grant in buttons(card, Act.GRANT):
        assert grant["value"].partition("|")[0] == file.case_id

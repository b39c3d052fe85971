"""Escalated cases for card and Slack tests: a full, realistic case; override what a test needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from escalation.model import (
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

NOW = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)
AGENT = "U0AGENT01"
LEAD = "U0LEAD001"


def a_case_file(**overrides: Any) -> CaseFile:
    file = CaseFile(
        case_id="esc-100482-1",
        conversation_ref="conv-7f3a",
        customer_ref="cus-9c21",
        channel="webchat",
        language="nl",
        why=Why.ABOVE_MANDATE,
        opened_at=NOW,
        complaint_type="late_delivery",
        customer_name="Anna de Vries",
        order_number="100482",
        order_value=Money.of("899.00"),
        lines=(Line("laptop", 1, Money.of("899.00")),),
        carrier=CarrierFacts(
            carrier="postnl",
            status="out_for_delivery",
            evidence="late",
            window="10:00-12:00",
            hours_late=1.5,
            last_event="Out for delivery",
        ),
        summary="Laptop promised before noon is late; customer needs it for work.",
        last_messages=(
            Message(
                "customer", "mijn laptop is nog steeds niet binnen", NOW - timedelta(minutes=4)
            ),
            Message("bot", "Het spijt me. Ik kijk het na.", NOW - timedelta(minutes=3)),
            Message("customer", "ik wil mijn geld terug", NOW - timedelta(minutes=1)),
        ),
        history=(PastGesture(NOW - timedelta(days=40), "voucher", Money.of("5.00"), "bot"),),
        decision_reasons=("A refund is above the bot's mandate.", "Order value above €500."),
        mandate_version="2026-11-01",
        suggestions=(
            Suggestion("voucher:1", "voucher", Money.of("10.00"), Level.AGENT, ("1.5 h late",)),
            Suggestion("shipping_refund:1", "shipping_refund", Money.of("4.95"), Level.BOT),
            Suggestion(
                "partial_refund:1",
                "partial_refund",
                Money.of("90.00"),
                Level.LEAD,
                ("10% of the order value",),
                "refund part of the price",
            ),
        ),
    )
    return replace(file, **overrides)


def a_case(status: Status = Status.OPEN, **file_overrides: Any) -> Case:
    state = CaseState(status=status)
    if status in (Status.CLAIMED, Status.TAKEN_OVER):
        state = state.but(owner=AGENT, owner_name="Sam")
    if status == Status.RESOLVED:
        state = state.but(
            owner=AGENT,
            outcome="Voucher €10 granted",
            decided_by=AGENT,
            decided_at=NOW + timedelta(minutes=5),
        )
    return Case(a_case_file(**file_overrides), state)

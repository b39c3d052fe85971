"""The journey store's tables: gestures, budget counters, customers, journeys, touchpoints,
recovery moments, escalations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from journeys.db import Base, UTCDateTime


class GestureRow(Base):
    __tablename__ = "gesture_ledger"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_gesture_ledger_idempotency_key"),
        CheckConstraint("state IN ('reserved', 'issued', 'released')", name="ck_gesture_state"),
        CheckConstraint("amount_minor >= 0", name="ck_gesture_amount"),
        Index("ix_gesture_customer_created", "customer_id", "created_at"),
        Index("ix_gesture_case", "case_id"),
        Index("ix_gesture_order", "order_number"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    decided_by: Mapped[str] = mapped_column(String(64))
    mandate_version: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    result_ref: Mapped[str | None] = mapped_column(String(200))
    # The counter keys this gesture was charged to, space separated: release gives back to them.
    budget_keys: Mapped[str] = mapped_column(Text)
    # Since 0007: gestures granted together share a decision; a case gets one (NULL: its own).
    decision: Mapped[str | None] = mapped_column(String(200))


class CounterRow(Base):
    __tablename__ = "budget_counters"
    __table_args__ = (
        CheckConstraint("spent_minor >= 0", name="ck_counter_not_negative"),
        # The database itself refuses an overspent day or month, whatever the code does.
        # Rolling customer windows are recomputed from the ledger (see counters.py).
        CheckConstraint(
            "scope = 'customer_period' OR spent_minor <= limit_minor", name="ck_counter_within"
        ),
    )

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_days: Mapped[int | None] = mapped_column(Integer)
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    spent_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomerRow(Base):
    """A customer by id only: names and addresses stay in the shop."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    segment: Mapped[str | None] = mapped_column(String(16))  # the latest one seen
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JourneyRow(Base):
    """One customer's path around one order; its score is kept current as touchpoints arrive."""

    __tablename__ = "journeys"
    __table_args__ = (
        UniqueConstraint("order_number", name="uq_journey_order"),
        Index("ix_journey_customer", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # recording.journey_id(order)
    order_number: Mapped[str] = mapped_column(String(64))
    # customers.id. No foreign key since 0006, as on touchpoints and moments: the per-row check
    # was half the cost of a batch of journeys, and recording.py upserts the customer first.
    customer_id: Mapped[str] = mapped_column(String(64))
    order_value_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)  # 0-1, see docs/scores.md
    nps: Mapped[int | None] = mapped_column(Integer)  # 0-10, the answer on the latest moment
    nps_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # that moment's time


class TouchpointRow(Base):
    """A moment of contact in a phase of a journey, with its score (0-1) if it has one."""

    __tablename__ = "touchpoints"
    __table_args__ = (
        CheckConstraint(
            "phase IN ('orientation', 'consideration', 'purchase', 'consumption', 'evaluation')",
            name="ck_touchpoint_phase",
        ),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="ck_touchpoint_score"),
        Index("ix_touchpoint_journey", "journey_id"),
    )

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # idempotency: once per key
    # journeys.id. No foreign key on the two high-volume tables: journeys/recording.py, their
    # only writer, upserts the journey first in the same transaction, and the per-row checks
    # cost almost half of a batched insert.
    journey_id: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))  # delivery, product, complaint_handling, ...
    channel: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    # customer (graded by the customer), estimated (from the failure's severity), derived (3E)
    source: Mapped[str] = mapped_column(String(16))
    raw_score: Mapped[int | None] = mapped_column(Integer)  # the answer on its own scale
    scale: Mapped[str | None] = mapped_column(String(8))  # csat, ces, nps
    case_id: Mapped[str | None] = mapped_column(String(64))  # the recovery moment, if any
    # The journey's NPS, copied here when it changes, so the moments-of-truth report is one
    # scan of this table instead of a join with journeys.
    journey_nps: Mapped[int | None] = mapped_column(Integer)


class RecoveryMomentRow(Base):
    """One handled failure: what went wrong, the facts, the gesture, who decided, the scores."""

    __tablename__ = "recovery_moments"
    __table_args__ = (
        UniqueConstraint("case_id", name="uq_recovery_moment_case"),
        Index("ix_recovery_moment_created", "created_at"),
        Index("ix_recovery_moment_customer", "customer_id", "created_at"),
        Index("ix_recovery_moment_journey", "journey_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str] = mapped_column(String(64))
    complaint_type: Mapped[str] = mapped_column(String(32))
    carrier_evidence: Mapped[str] = mapped_column(String(32))
    carrier_status_code: Mapped[str | None] = mapped_column(String(32))
    hours_late: Mapped[float | None] = mapped_column(Float)
    gestures: Mapped[str] = mapped_column(Text)  # JSON list of {kind, amount_minor, ref}
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    decided_by: Mapped[str] = mapped_column(String(64))
    mandate_version: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    csat: Mapped[int | None] = mapped_column(Integer)  # 1-10, the Dutch "cijfer"
    ces: Mapped[int | None] = mapped_column(Integer)  # 1-7, how easy it was
    nps: Mapped[int | None] = mapped_column(Integer)  # 0-10, would recommend
    # Since 0005: the journey, what the policy simulator replays, and the 3E's.
    journey_id: Mapped[str | None] = mapped_column(String(32))  # journeys.id (see touchpoints)
    decided_level: Mapped[str] = mapped_column(String(8), server_default=text("'bot'"))
    carrier: Mapped[str | None] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(String(16))
    damage_extent: Mapped[str | None] = mapped_column(String(16))
    demand_minor: Mapped[int | None] = mapped_column(BigInteger)  # in the moment's currency
    previous_complaints: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    customer_turns: Mapped[int | None] = mapped_column(Integer)
    seconds_to_resolution: Mapped[float | None] = mapped_column(Float)
    tone_start: Mapped[float | None] = mapped_column(Float)  # -1 angry .. +1 glad
    tone_end: Mapped[float | None] = mapped_column(Float)
    resolved: Mapped[bool] = mapped_column(Boolean, server_default=true())
    facts_confirmed: Mapped[bool] = mapped_column(Boolean, server_default=false())
    recontacted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    effectiveness: Mapped[float | None] = mapped_column(Float)
    ease: Mapped[float | None] = mapped_column(Float)
    emotion: Mapped[float | None] = mapped_column(Float)
    recovery_score: Mapped[float | None] = mapped_column(Float)
    failed_score: Mapped[float | None] = mapped_column(Float)
    journey_score_after: Mapped[float | None] = mapped_column(Float)
    uplift: Mapped[float | None] = mapped_column(Float)
    # Since 0007: what the case came to, which revision of its moment this is (a later
    # outcome replaces an earlier one), a person's reason for closing, the live decision.
    outcome: Mapped[str] = mapped_column(String(16), server_default=text("'gesture'"))
    revision: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)  # JSON, see recovery/moments.py


class CaseRow(Base):
    """A failure (order, complaint, the order line where it matters) and where it stands."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "state IN ('open', 'offered', 'granted', 'with_person', 'closed')",
            name="ck_case_state",
        ),
        Index("ix_case_customer_opened", "customer_id", "opened_at"),
    )

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_number: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    complaint_type: Mapped[str] = mapped_column(String(32))
    line_sku: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(Text)  # where the customer is now; never shown
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    conversations: Mapped[int] = mapped_column(Integer)  # how many joined it
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(Text)
    moment_revision: Mapped[int] = mapped_column(Integer)


class EscalationRow(Base):
    """A case handed to agents (escalation/store.py reads and writes it)."""

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalation_status_opened", "status", "opened_at"),
        Index("ix_escalation_conversation", "conversation_id"),
    )

    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)  # optimistic concurrency: bumped per change
    file: Mapped[str] = mapped_column(Text)  # CaseFile as JSON
    state: Mapped[str] = mapped_column(Text)  # CaseState as JSON
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The card's way to Slack (escalation/card_queue.py): due while not posted yet.
    card_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    card_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    card_error: Mapped[str | None] = mapped_column(String(64))  # Slack's last answer


class DeliveryRow(Base):
    """An agent's decision or message a customer must still be told (escalation/deliveries.py)."""

    __tablename__ = "escalation_deliveries"
    __table_args__ = (
        Index("ix_escalation_delivery_conversation", "conversation_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(64))
    entities: Mapped[str] = mapped_column(Text)  # JSON object
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))

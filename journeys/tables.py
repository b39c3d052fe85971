"""The journey store's tables: gestures, budget counters, recovery moments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
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


class RecoveryMomentRow(Base):
    """One handled failure: what went wrong, the facts, the gesture, who decided, the scores."""

    __tablename__ = "recovery_moments"
    __table_args__ = (
        UniqueConstraint("case_id", name="uq_recovery_moment_case"),
        Index("ix_recovery_moment_created", "created_at"),
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

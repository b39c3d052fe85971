"""Gesture ledger and budget counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written by hand; only portable types: timestamps WITH TIME ZONE on PostgreSQL, UTC text on
# SQLite (journeys.db.UTCDateTime), money as BIGINT minor units plus an ISO currency.
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gesture_ledger",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("mandate_version", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("result_ref", sa.String(200), nullable=True),
        sa.Column("budget_keys", sa.Text(), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_gesture_ledger_idempotency_key"),
        sa.CheckConstraint("state IN ('reserved', 'issued', 'released')", name="ck_gesture_state"),
        sa.CheckConstraint("amount_minor >= 0", name="ck_gesture_amount"),
    )
    op.create_index("ix_gesture_customer_created", "gesture_ledger", ["customer_id", "created_at"])
    op.create_table(
        "budget_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("period_start", _WHEN, nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=True),
        sa.Column("limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("spent_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint("spent_minor >= 0", name="ck_counter_not_negative"),
        sa.CheckConstraint(
            "scope = 'customer_period' OR spent_minor <= limit_minor", name="ck_counter_within"
        ),
    )


def downgrade() -> None:
    op.drop_table("budget_counters")
    op.drop_index("ix_gesture_customer_created", table_name="gesture_ledger")
    op.drop_table("gesture_ledger")

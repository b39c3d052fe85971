"""Cases: a failure (order and complaint) with its state, whatever conversation it comes from;
the ledger records which decision each gesture belongs to; every case a recovery moment.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_STATES = "'open', 'offered', 'granted', 'with_person', 'closed'"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("complaint_type", sa.String(32), nullable=False),
        sa.Column("line_sku", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        # The sender id of the conversation the customer is on now: to reach them, never shown.
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.Column("opened_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("moment_revision", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_case_state"),
    )
    op.create_index("ix_case_customer_opened", "cases", ["customer_id", "opened_at"])
    with op.batch_alter_table("gesture_ledger") as table:
        # Gestures granted together (one yes, one agent's click) share a decision; a case
        # gets one decision. NULL on rows from before: each its own decision.
        table.add_column(sa.Column("decision", sa.String(200), nullable=True))
    op.create_index("ix_gesture_case", "gesture_ledger", ["case_id"])
    op.create_index("ix_gesture_order", "gesture_ledger", ["order_number"])
    with op.batch_alter_table("recovery_moments") as table:
        # What the case came to: facts, offered, declined, gesture, closed (see docs/scores.md).
        table.add_column(
            sa.Column("outcome", sa.String(16), nullable=False, server_default=sa.text("'gesture'"))
        )
        table.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        table.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
        # The mandate's live decision and the inputs it decided on (JSON), for the replay.
        table.add_column(sa.Column("decision", sa.Text(), nullable=True))
    # Moments from before were written for granted cases only; one without gestures is facts.
    op.execute("UPDATE recovery_moments SET outcome = 'facts' WHERE gestures = '[]'")


def downgrade() -> None:
    with op.batch_alter_table("recovery_moments") as table:
        for name in ("decision", "close_reason", "revision", "outcome"):
            table.drop_column(name)
    op.drop_index("ix_gesture_order", table_name="gesture_ledger")
    op.drop_index("ix_gesture_case", table_name="gesture_ledger")
    with op.batch_alter_table("gesture_ledger") as table:
        table.drop_column("decision")
    op.drop_index("ix_case_customer_opened", table_name="cases")
    op.drop_table("cases")

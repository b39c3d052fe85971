"""Escalated cases: the case file agents decide from, and its state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("case_id", sa.String(128), primary_key=True),
        # The channel's sender id: needed to reach the customer, never shown or logged.
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_escalation_status_opened", "escalations", ["status", "opened_at"])
    op.create_index("ix_escalation_conversation", "escalations", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_escalation_conversation", table_name="escalations")
    op.drop_index("ix_escalation_status_opened", table_name="escalations")
    op.drop_table("escalations")

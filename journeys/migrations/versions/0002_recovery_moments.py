"""Recovery moments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_moments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("complaint_type", sa.String(32), nullable=False),
        sa.Column("carrier_evidence", sa.String(32), nullable=False),
        sa.Column("carrier_status_code", sa.String(32), nullable=True),
        sa.Column("hours_late", sa.Float(), nullable=True),
        sa.Column("gestures", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("mandate_version", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", name="uq_recovery_moment_case"),
    )
    op.create_index("ix_recovery_moment_created", "recovery_moments", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_recovery_moment_created", table_name="recovery_moments")
    op.drop_table("recovery_moments")

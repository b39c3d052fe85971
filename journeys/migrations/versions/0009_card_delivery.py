"""Escalations keep their Slack card's delivery: due until posted, attempts, Slack's last error.

A card Slack did not take (down, 5xx, 429) is retried from here until it is posted, and the
local inbox shows the case meanwhile (escalation/card_queue.py).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as table:
        table.add_column(sa.Column("card_due_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(
            sa.Column("card_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("card_error", sa.String(64), nullable=True))
    op.create_index("ix_escalations_card_due_at", "escalations", ["card_due_at"])


def downgrade() -> None:
    op.drop_index("ix_escalations_card_due_at", table_name="escalations")
    with op.batch_alter_table("escalations") as table:
        table.drop_column("card_error")
        table.drop_column("card_attempts")
        table.drop_column("card_due_at")

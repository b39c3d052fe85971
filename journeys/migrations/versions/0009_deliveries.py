"""What must still reach agents and customers: a Slack card's delivery with its case (due until
posted, attempts, Slack's last error), and what agents did that Rasa did not take yet.

A card Slack did not take (down, 5xx, 429) is retried until it is posted, and the local inbox
shows the case meanwhile (escalation/card_queue.py); an agent's decision or message that Rasa
could not take is triggered again until it is (escalation/deliveries.py).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
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
    op.create_table(
        "escalation_deliveries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("case_id", sa.String(128), nullable=False),
        # The channel's sender id: needed to reach the customer, never shown or logged.
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("entities", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
    )
    op.create_index(
        "ix_escalation_delivery_conversation",
        "escalation_deliveries",
        ["conversation_id", "created_at"],
    )
    op.create_index("ix_escalation_deliveries_created_at", "escalation_deliveries", ["created_at"])


def downgrade() -> None:
    op.drop_table("escalation_deliveries")
    op.drop_index("ix_escalations_card_due_at", table_name="escalations")
    with op.batch_alter_table("escalations") as table:
        table.drop_column("card_error")
        table.drop_column("card_attempts")
        table.drop_column("card_due_at")

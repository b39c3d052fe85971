"""Journeys lose their foreign key to customers, as touchpoints and moments never had one.

A journey is written for nearly every recovery moment, and the per-row check was half the
cost of upserting a batch of journeys on PostgreSQL. The only writer, journeys/recording.py,
upserts the customer before its journey in the same transaction.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as table:
        table.drop_constraint("fk_journey_customer", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("journeys") as table:
        table.create_foreign_key("fk_journey_customer", "customers", ["customer_id"], ["id"])

"""Scores on recovery moments: CSAT (1-10), CES (1-7), NPS (0-10).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SCORES = ("csat", "ces", "nps")


def upgrade() -> None:
    with op.batch_alter_table("recovery_moments") as table:
        for name in _SCORES:
            table.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recovery_moments") as table:
        for name in _SCORES:
            table.drop_column(name)

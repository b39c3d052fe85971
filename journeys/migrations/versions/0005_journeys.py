"""Customers, journeys and touchpoints; recovery moments get their journey, effort and 3E's.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_PHASES = "'orientation', 'consideration', 'purchase', 'consumption', 'evaluation'"

# New columns on recovery_moments, in order; all nullable or with a server default, so moments
# recorded before this revision stay valid (they have no journey and no 3E's).
_MOMENT_COLUMNS: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("journey_id", sa.String(32), {}),
    ("decided_level", sa.String(8), {"nullable": False, "server_default": sa.text("'bot'")}),
    ("carrier", sa.String(16), {}),
    ("segment", sa.String(16), {}),
    ("damage_extent", sa.String(16), {}),
    ("demand_minor", sa.BigInteger(), {}),
    ("previous_complaints", sa.Integer(), {"nullable": False, "server_default": sa.text("0")}),
    ("customer_turns", sa.Integer(), {}),
    ("seconds_to_resolution", sa.Float(), {}),
    ("tone_start", sa.Float(), {}),
    ("tone_end", sa.Float(), {}),
    ("resolved", sa.Boolean(), {"nullable": False, "server_default": sa.true()}),
    ("facts_confirmed", sa.Boolean(), {"nullable": False, "server_default": sa.false()}),
    ("recontacted", sa.Boolean(), {"nullable": False, "server_default": sa.false()}),
    ("effectiveness", sa.Float(), {}),
    ("ease", sa.Float(), {}),
    ("emotion", sa.Float(), {}),
    ("recovery_score", sa.Float(), {}),
    ("failed_score", sa.Float(), {}),
    ("journey_score_after", sa.Float(), {}),
    ("uplift", sa.Float(), {}),
)


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("segment", sa.String(16), nullable=True),
        sa.Column("first_seen_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
    )
    op.create_table(
        "journeys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column(
            "customer_id",
            sa.String(64),
            sa.ForeignKey("customers.id", name="fk_journey_customer"),
            nullable=False,
        ),
        sa.Column("order_value_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("nps_at", _WHEN, nullable=True),
        sa.UniqueConstraint("order_number", name="uq_journey_order"),
    )
    op.create_index("ix_journey_customer", "journeys", ["customer_id"])
    op.create_table(
        "touchpoints",
        sa.Column("key", sa.String(200), primary_key=True),
        # No foreign keys to journeys on the two high-volume tables: their only writer
        # (journeys/recording.py) upserts the journey first, in the same transaction, and the
        # per-row checks cost almost half of a batched insert.
        sa.Column("journey_id", sa.String(32), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("occurred_at", _WHEN, nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("raw_score", sa.Integer(), nullable=True),
        sa.Column("scale", sa.String(8), nullable=True),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("journey_nps", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"phase IN ({_PHASES})", name="ck_touchpoint_phase"),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 1)", name="ck_touchpoint_score"
        ),
    )
    op.create_index("ix_touchpoint_journey", "touchpoints", ["journey_id"])
    with op.batch_alter_table("recovery_moments") as table:
        for name, type_, options in _MOMENT_COLUMNS:
            table.add_column(sa.Column(name, type_, nullable=options.get("nullable", True),
                                       server_default=options.get("server_default")))  # fmt: skip
    op.create_index(
        "ix_recovery_moment_customer", "recovery_moments", ["customer_id", "created_at"]
    )
    op.create_index("ix_recovery_moment_journey", "recovery_moments", ["journey_id"])
    # Older moments: who decided at which level, and whether the carrier's facts were known.
    op.execute(
        "UPDATE recovery_moments SET "
        "decided_level = CASE WHEN decided_by = 'bot' THEN 'bot' "
        "WHEN decided_by LIKE 'lead%' THEN 'lead' ELSE 'agent' END, "
        "facts_confirmed = (carrier_evidence <> 'unknown')"
    )


def downgrade() -> None:
    op.drop_index("ix_recovery_moment_journey", table_name="recovery_moments")
    op.drop_index("ix_recovery_moment_customer", table_name="recovery_moments")
    with op.batch_alter_table("recovery_moments") as table:
        for name, _, _ in reversed(_MOMENT_COLUMNS):
            table.drop_column(name)
    op.drop_index("ix_touchpoint_journey", table_name="touchpoints")
    op.drop_table("touchpoints")
    op.drop_index("ix_journey_customer", table_name="journeys")
    op.drop_table("journeys")
    op.drop_table("customers")

"""Managed detection rules (every version of the centre's and the members' Sigma rules) and
the live correlation state (each member's windows, and the detections already fed).

Revision ID: 0016
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0016"
down_revision = "0017"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "detection_rules",
        sa.Column("seq", _ID, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_detection_rules")),
        sa.UniqueConstraint("owner", "rule_id", "version", name="uq_detection_rules_version"),
    )


    op.create_table(
        "correlation_state",
        sa.Column("member", sa.String(64), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member", name=op.f("pk_correlation_state")),
    )
    op.create_table(
        "correlation_fed",
        sa.Column("key", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_correlation_fed")),
    )


def downgrade() -> None:
    op.drop_table("correlation_fed")
    op.drop_table("correlation_state")
    op.drop_table("detection_rules")

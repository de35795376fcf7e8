"""Protective measures: issued measures, subscriptions, allow-lists, list versions.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measures",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(2100), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("confidence", sa.SmallInteger(), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("community_ids", sa.String(4000), nullable=False),
        sa.Column("recipient_org_ids", sa.String(4000), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(200), nullable=False),
        sa.Column("withdraw_reason", sa.String(1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_measures_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    op.create_index("uq_measures_key", "measures", ["key"], unique=True)
    op.create_index("ix_measures_current", "measures", ["withdrawn_at", "valid_until"])
    op.create_table(
        "measure_subscriptions",
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("min_confidence", sa.SmallInteger(), nullable=False),
        sa.Column("indicators", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_measure_subscriptions_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("org_id", "name", name=op.f("pk_measure_subscriptions")),
    )
    op.create_table(
        "measure_allow",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_allow")),
    )
    op.create_index(
        "uq_measure_allow_entry", "measure_allow", ["scope", "kind", "value"], unique=True
    )
    op.create_table(
        "measure_versions",
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("subscription", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "subscription", "version", name=op.f("pk_measure_versions")
        ),
    )


def downgrade() -> None:
    op.drop_table("measure_versions")
    op.drop_index("uq_measure_allow_entry", table_name="measure_allow")
    op.drop_table("measure_allow")
    op.drop_table("measure_subscriptions")
    op.drop_index("ix_measures_current", table_name="measures")
    op.drop_index("uq_measures_key", table_name="measures")
    op.drop_table("measures")

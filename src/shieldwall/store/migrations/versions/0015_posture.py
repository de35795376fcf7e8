"""Posture of each member, sector and the coalition: its changes and current levels.

Revision ID: 0015
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "posture_history",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("after_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("previous", sa.SmallInteger(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('member','sector','coalition')", name=op.f("ck_posture_history_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_history")),
        sa.UniqueConstraint("kind", "key", "after_id", name="uq_posture_history_scope_after"),
    )
    op.create_table(
        "posture_levels",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("history_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["history_id"],
            ["posture_history.id"],
            name=op.f("fk_posture_levels_history_id_posture_history"),
        ),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_posture_levels")),
    )


def downgrade() -> None:
    op.drop_table("posture_levels")
    op.drop_table("posture_history")

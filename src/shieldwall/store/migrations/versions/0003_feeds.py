"""TAXII feeds: the resume point and last outcome of each pulled feed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_feed_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("added_after", sa.String(40), nullable=True),
        sa.Column("last_run_at", UtcDateTime(), nullable=True),
        sa.Column("last_success_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("objects_total", sa.BigInteger(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_taxii_feed_state")),
    )


def downgrade() -> None:
    op.drop_table("taxii_feed_state")

"""What a member releases of its incident to the other members of its campaigns.

One row per incident (a new release replaces the last; withdrawing deletes it): the TLP
level the sharing gate reads it under, whether the member is named, the incident's
fields released and a note.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_releases",
        sa.Column(
            "incident_id", sa.BigInteger(), sa.ForeignKey("incidents.id"), primary_key=True
        ),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("marking_ref", sa.String(100), nullable=False),
        sa.Column("name_member", sa.Boolean(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("released_by", sa.String(64), nullable=False),
        sa.Column("released_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("incident_releases")

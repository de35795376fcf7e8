"""Sensors have no password: drop any an older version let an operator give one.

Revision ID: 0007
Revises: 0006

A sensor is a machine and authenticates with API tokens only (the permission table,
``shieldwall.policy.roles.PERMISSIONS``); its tokens keep working.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE people SET password_hash = NULL WHERE role = 'sensor'")


def downgrade() -> None:
    """Nothing to restore: the dropped hashes were never meant to exist."""

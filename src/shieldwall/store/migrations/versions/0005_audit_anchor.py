"""Anchor the audit chain: genesis entry, labelled signatures, checkpoints in a signed list.

Revision ID: 0005
Revises: 0004

The head and each checkpoint gain ``prev_checkpoint`` (the checkpoint before them), which
their signatures cover. An empty log gets its genesis entry (entry 0); an older log is
re-signed under the labels if it verifies under the old rules, with the service's key
(``shieldwall.store.migrate.upgrade(engine, signer=...)``). See
``shieldwall.store.sql.audit_genesis`` for what happens to a log that does not verify.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

from shieldwall.store.sql.audit_genesis import link_checkpoints, upgrade_log

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SIGNED = ("audit_checkpoints", "audit_head")


def upgrade() -> None:
    for table in SIGNED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("prev_checkpoint", sa.BigInteger(), nullable=True))
    connection = op.get_bind()
    link_checkpoints(connection)
    for table in SIGNED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("prev_checkpoint", existing_type=sa.BigInteger(), nullable=False)
    upgrade_log(connection, context.config.attributes.get("signer"), datetime.now(UTC))


def downgrade() -> None:
    """Drops the column; signatures stay labelled, which revisions before 0005 refuse."""
    for table in SIGNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("prev_checkpoint")

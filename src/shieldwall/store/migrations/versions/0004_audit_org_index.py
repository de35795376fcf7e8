"""Index the audit log by organisation, so a lead's page does not scan the whole log.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_entries_org_id_seq", "audit_entries", ["org_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_org_id_seq", table_name="audit_entries")

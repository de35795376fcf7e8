"""What an approver needs to decide, kept with the approval; one request for assistance per
playbook step.

An approval is addressed to named members who may not see the playbook (it is another
organisation's): ``context`` keeps, when the approval is asked, the playbook's and the
step's names and descriptions, what the step will do and what started the run.
``assist_requests.step_key`` is the idempotency key of the playbook step that asked for
help; its unique index makes a replayed step find the request instead of opening another.

Revision ID: 0019
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("playbook_approvals", sa.Column("context", sa.JSON(), nullable=True))
    op.add_column("assist_requests", sa.Column("step_key", sa.String(300), nullable=True))
    op.create_index(
        "ux_assist_requests_step_key", "assist_requests", ["step_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_assist_requests_step_key", table_name="assist_requests")
    with op.batch_alter_table("assist_requests") as batch:
        batch.drop_column("step_key")
    with op.batch_alter_table("playbook_approvals") as batch:
        batch.drop_column("context")

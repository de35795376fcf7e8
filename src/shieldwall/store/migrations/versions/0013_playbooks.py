"""CACAO playbooks, their durable runs, journals, approvals and votes (issue 11).

Revision ID: 0013
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "playbooks",
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("triggers", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_playbooks_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_playbooks")),
    )
    _runs()
    _approvals()


def _runs() -> None:
    op.create_table(
        "playbook_runs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("playbook_org", sa.String(64), nullable=False),
        sa.Column("playbook_id", sa.String(64), nullable=False),
        sa.Column("start_key", sa.String(300), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("principal", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(1000), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playbook_org", "playbook_id"],
            ["playbooks.org_id", "playbooks.id"],
            name="fk_playbook_runs_playbook",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playbook_runs")),
        sa.UniqueConstraint("start_key", name=op.f("uq_playbook_runs_start_key")),
    )
    op.create_index("ix_playbook_runs_status", "playbook_runs", ["status", "id"])
    op.create_table(
        "playbook_journal",
        sa.Column("seq", _ID, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("step_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["playbook_runs.id"], name=op.f("fk_playbook_journal_run_id_playbook_runs")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_playbook_journal")),
        sa.UniqueConstraint("key", name=op.f("uq_playbook_journal_key")),
    )
    op.create_index("ix_playbook_journal_run", "playbook_journal", ["run_id", "seq"])


def _approvals() -> None:
    op.create_table(
        "playbook_approvals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("step_id", sa.String(200), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["playbook_runs.id"],
            name=op.f("fk_playbook_approvals_run_id_playbook_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playbook_approvals")),
        sa.UniqueConstraint("key", name=op.f("uq_playbook_approvals_key")),
    )
    op.create_index("ix_playbook_approvals_status", "playbook_approvals", ["status", "expires_at"])
    op.create_table(
        "playbook_votes",
        sa.Column("approval_id", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["playbook_approvals.id"],
            name=op.f("fk_playbook_votes_approval_id_playbook_approvals"),
        ),
        sa.PrimaryKeyConstraint("approval_id", "org_id", name=op.f("pk_playbook_votes")),
    )


def downgrade() -> None:
    for table in ("playbook_votes", "playbook_approvals", "playbook_journal"):
        op.drop_table(table)
    op.drop_index("ix_playbook_runs_status", table_name="playbook_runs")
    op.drop_table("playbook_runs")
    op.drop_table("playbooks")

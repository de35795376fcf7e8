"""Cases opened from incidents: shares, items with their TLP, evidence bytes, timeline;
shift handovers.

Revision ID: 0012
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0012"
down_revision = "0015"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str, key: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{key}"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    _cases()
    op.create_table(
        "case_shares",
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("max_tlp", sa.SmallInteger(), nullable=False),
        sa.Column("shared_by", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        _fk("case_shares", "case_id", "cases"),
        _fk("case_shares", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("case_id", "org_id", name=op.f("pk_case_shares")),
    )
    op.create_index("ix_case_shares_org_id", "case_shares", ["org_id", "case_id"])
    op.create_table(
        "case_blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_case_blobs")),
    )
    _items()
    _timeline()
    op.create_table(
        "handovers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("taken_by", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("last_incident_id", sa.BigInteger(), nullable=False),
        sa.Column("severities", sa.JSON(), nullable=False),
        _fk("handovers", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    op.create_index("ix_handovers_org_id", "handovers", ["org_id", "id"])


def _cases() -> None:
    op.create_table(
        "cases",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("opened_org", sa.String(64), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("close_reason", sa.String(1000), nullable=True),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("shift", sa.String(64), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('new','triaged','in_progress','contained','closed')",
            name=op.f("ck_cases_status"),
        ),
        _fk("cases", "incident_id", "incidents"),
        _fk("cases", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_cases_incident_id")),
    )
    op.create_index("ix_cases_org_id", "cases", ["org_id", "id"])
    op.create_index("ix_cases_due_at", "cases", ["status", "due_at"])


def _items() -> None:
    op.create_table(
        "case_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.String(10000), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("observable_type", sa.String(32), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("media_type", sa.String(200), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('task','observable','evidence','comment')", name=op.f("ck_case_items_kind")
        ),
        _fk("case_items", "case_id", "cases"),
        _fk("case_items", "sha256", "case_blobs", "sha256"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_items")),
    )
    op.create_index("ix_case_items_case_id", "case_items", ["case_id", "created_at"])
    op.create_index("ix_case_items_due", "case_items", ["kind", "status", "due_at"])


def _timeline() -> None:
    op.create_table(
        "case_timeline",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(36), nullable=True),
        sa.Column("owners_only", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _fk("case_timeline", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_timeline")),
    )
    op.create_index("ix_case_timeline_case_id", "case_timeline", ["case_id", "id"])


def downgrade() -> None:
    for index, table in (
        ("ix_handovers_org_id", "handovers"),
        ("ix_case_timeline_case_id", "case_timeline"),
        ("ix_case_items_due", "case_items"),
        ("ix_case_items_case_id", "case_items"),
        ("ix_case_shares_org_id", "case_shares"),
        ("ix_cases_due_at", "cases"),
        ("ix_cases_org_id", "cases"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("handovers", "case_timeline", "case_items", "case_blobs", "case_shares"):
        op.drop_table(table)
    op.drop_table("cases")

"""Intelligence: STIX object versions, index terms, revocations, TAXII collections and
statuses, communities.

Revision ID: 0002
Revises: 0001
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _audience_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("producer_org_id", sa.String(64), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=True),
        sa.Column("marking_refs", sa.Text(), nullable=False),
        sa.Column("recipient_org_ids", sa.Text(), nullable=False),
        sa.Column("recipient_person_ids", sa.Text(), nullable=False),
        sa.Column("community_ids", sa.Text(), nullable=False),
        sa.Column("releasable_to", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "intel_sequence",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("date_added", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_sequence")),
    )
    op.create_table(
        "intel_objects",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("stix_id", sa.String(128), nullable=False),
        sa.Column("stix_type", sa.String(64), nullable=False),
        sa.Column("version", UtcDateTime(), nullable=False),
        sa.Column("spec_version", sa.String(8), nullable=False),
        sa.Column("date_added", UtcDateTime(), nullable=False),
        *_audience_columns(),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("is_first", sa.Boolean(), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_intel_objects")),
        sa.UniqueConstraint(
            "stix_id", "producer_org_id", "version", name="uq_intel_objects_version"
        ),
    )
    op.create_index("ix_intel_objects_stix_id", "intel_objects", ["stix_id"])
    op.create_index("ix_intel_objects_type_seq", "intel_objects", ["stix_type", "seq"])
    op.create_index("ix_intel_objects_producer_seq", "intel_objects", ["producer_org_id", "seq"])
    op.create_index("ix_intel_objects_date_added", "intel_objects", ["date_added"])
    op.create_table(
        "intel_terms",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        sa.Column("lo", sa.String(40), nullable=True),
        sa.Column("hi", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["intel_objects.seq"],
            name=op.f("fk_intel_terms_seq_intel_objects"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_intel_terms_kind_value", "intel_terms", ["kind", "value"])
    op.create_index("ix_intel_terms_kind_lo", "intel_terms", ["kind", "lo"])
    op.create_index("ix_intel_terms_seq", "intel_terms", ["seq"])
    op.create_table(
        "intel_revocations",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("stix_id", sa.String(128), nullable=False),
        sa.Column("version", UtcDateTime(), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        *_audience_columns(),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_intel_revocations")),
    )
    op.create_table(
        "taxii_collections",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("max_tlp", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('federation','member','recipient','community')",
            name=op.f("ck_taxii_collections_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_collections")),
        sa.UniqueConstraint("kind", "subject", name="uq_taxii_collections_view"),
    )
    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )
    op.create_index("ix_taxii_statuses_created_at", "taxii_statuses", ["created_at"])
    op.create_table(
        "communities",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
    )


def downgrade() -> None:
    op.drop_table("communities")
    op.drop_index("ix_taxii_statuses_created_at", table_name="taxii_statuses")
    op.drop_table("taxii_statuses")
    op.drop_table("taxii_collections")
    op.drop_table("intel_revocations")
    op.drop_index("ix_intel_terms_seq", table_name="intel_terms")
    op.drop_index("ix_intel_terms_kind_lo", table_name="intel_terms")
    op.drop_index("ix_intel_terms_kind_value", table_name="intel_terms")
    op.drop_table("intel_terms")
    op.drop_index("ix_intel_objects_date_added", table_name="intel_objects")
    op.drop_index("ix_intel_objects_producer_seq", table_name="intel_objects")
    op.drop_index("ix_intel_objects_type_seq", table_name="intel_objects")
    op.drop_index("ix_intel_objects_stix_id", table_name="intel_objects")
    op.drop_table("intel_objects")
    op.drop_table("intel_sequence")

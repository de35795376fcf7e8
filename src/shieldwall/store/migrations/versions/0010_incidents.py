"""Alerts counted (dedup key, hits, entities, techniques) and incidents of the fuse stage.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _alerts_counted()
    op.create_table(
        "incidents",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("close_reason", sa.String(1000), nullable=True),
        sa.Column("merged_into", sa.BigInteger(), nullable=True),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=True),
        sa.Column("last_seen", UtcDateTime(), nullable=True),
        sa.Column("opened_by", sa.String(300), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_incidents_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("opened_by", name=op.f("uq_incidents_opened_by")),
    )
    op.create_index("ix_incidents_org_id", "incidents", ["org_id", "id"])
    op.create_table(
        "incident_alerts",
        sa.Column("alert_seq", sa.BigInteger(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_seq"], ["alerts.seq"], name=op.f("fk_incident_alerts_alert_seq_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_alerts_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("alert_seq", name=op.f("pk_incident_alerts")),
    )
    op.create_index(
        "ix_incident_alerts_incident", "incident_alerts", ["incident_id", "alert_seq"]
    )
    op.create_table(
        "incident_links",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("link", sa.String(400), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_links_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_links")),
    )
    op.create_index("ix_incident_links_lookup", "incident_links", ["org_id", "link", "at"])
    op.create_index("ix_incident_links_incident", "incident_links", ["incident_id"])
    op.create_table(
        "incident_history",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_history_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_history")),
    )
    op.create_index("ix_incident_history_incident", "incident_history", ["incident_id", "id"])
    op.create_table(
        "campaigns",
        sa.Column("id", _ID, nullable=False),
        sa.Column("link", sa.String(400), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("link", name=op.f("uq_campaigns_link")),
    )
    op.create_table(
        "campaign_links",
        sa.Column("id", _ID, nullable=False),
        sa.Column("link", sa.String(400), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_campaign_links_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_links")),
        sa.UniqueConstraint("link", "incident_id", name="uq_campaign_links_link_incident"),
    )
    op.create_index("ix_campaign_links_link_org", "campaign_links", ["link", "org_id"])
    op.create_table(
        "fuse_applied",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_fuse_applied")),
    )


def _alerts_counted() -> None:
    """Each existing alert becomes an alert counted once, its own dedup key and hit."""
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("dedup_key", sa.String(300), nullable=True))
        batch.add_column(sa.Column("hit_count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_seen", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("entities", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("techniques", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("kind", sa.String(32), nullable=False, server_default="rule")
        )
    op.execute(
        "UPDATE alerts SET dedup_key = key, last_seen = event_time, entities = '{}', "
        "techniques = '[]'"
    )
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("dedup_key", existing_type=sa.String(300), nullable=False)
        batch.alter_column("entities", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("techniques", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("hit_count", existing_type=sa.Integer(), server_default=None)
        batch.alter_column("kind", existing_type=sa.String(32), server_default=None)
        batch.create_unique_constraint(op.f("uq_alerts_dedup_key"), ["dedup_key"])
        # each hit is counted once by alert_hits.key; an alert's own key is only its first
        # hit's, and two replicas storing that first hit race on dedup_key alone
        batch.drop_constraint(op.f("uq_alerts_key"), type_="unique")
    op.create_table(
        "alert_hits",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("alert_seq", sa.BigInteger(), nullable=False),
        sa.Column("event_time", UtcDateTime(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_seq"], ["alerts.seq"], name=op.f("fk_alert_hits_alert_seq_alerts")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_hits")),
    )
    op.execute("INSERT INTO alert_hits (key, alert_seq, event_time, entities) "
        "SELECT key, seq, event_time, entities FROM alerts")


def downgrade() -> None:
    tables = ("fuse_applied", "campaign_links", "campaigns", "incident_history")
    for table in (*tables, "incident_links", "incident_alerts"):
        op.drop_table(table)
    op.drop_index("ix_incidents_org_id", table_name="incidents")
    op.drop_table("incidents")
    op.drop_table("alert_hits")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint(op.f("uq_alerts_dedup_key"), type_="unique")
        batch.create_unique_constraint(op.f("uq_alerts_key"), ["key"])
        for column in ("kind", "techniques", "entities", "last_seen", "hit_count", "dedup_key"):
            batch.drop_column(column)

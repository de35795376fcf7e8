"""Notification channels, notifications and their outbox; requests for assistance.

Revision ID: 0014
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

from shieldwall.store.sql.types import UtcDateTime

revision = "0014"
down_revision = "0016"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    _notify()
    _assist()


def _notify() -> None:
    op.create_table(
        "notify_channels",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(500), nullable=True),
        sa.Column("max_tlp", sa.SmallInteger(), nullable=False),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("person_id", sa.String(36), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("type IN ('webhook','email')", name=op.f("ck_notify_channels_type")),
        sa.CheckConstraint("max_tlp BETWEEN 0 AND 4", name=op.f("ck_notify_channels_max_tlp")),
        _fk("notify_channels", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_channels")),
    )
    op.create_index("ix_notify_channels_org_id", "notify_channels", ["org_id"])
    op.create_table(
        "notifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("idempotency_key", sa.String(400), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("event_kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.String(20000), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _fk("notifications", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
    )
    op.create_table(
        "notify_deliveries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("notification_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending','delivered','dead','refused')",
            name=op.f("ck_notify_deliveries_status"),
        ),
        _fk("notify_deliveries", "notification_id", "notifications"),
        _fk("notify_deliveries", "channel_id", "notify_channels"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_deliveries_key")),
        sa.UniqueConstraint("notification_id", "channel_id", name="uq_notify_deliveries_once"),
    )
    op.create_index("ix_notify_deliveries_due", "notify_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_notify_deliveries_org", "notify_deliveries", ["org_id", "status", "id"])


def _assist() -> None:
    op.create_table(
        "assist_requests",
        sa.Column("id", _ID, nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("requester", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.String(20000), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("first_offer_at", UtcDateTime(), nullable=True),
        sa.Column("accepted_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("close_reason", sa.String(1000), nullable=False),
        sa.CheckConstraint(
            "status IN ('open','accepted','closed')", name=op.f("ck_assist_requests_status")
        ),
        _fk("assist_requests", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_requests")),
    )
    op.create_table(
        "assist_offers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("need", sa.String(32), nullable=False),
        sa.Column("text", sa.String(10000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        _fk("assist_offers", "request_id", "assist_requests"),
        _fk("assist_offers", "org_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_offers")),
    )
    op.create_index("ix_assist_offers_request", "assist_offers", ["request_id", "id"])
    op.create_table(
        "assist_history",
        sa.Column("id", _ID, nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _fk("assist_history", "request_id", "assist_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_history")),
    )
    op.create_index("ix_assist_history_request", "assist_history", ["request_id", "id"])


def downgrade() -> None:
    for table in ("assist_history", "assist_offers", "assist_requests"):
        op.drop_table(table)
    for table in ("notify_deliveries", "notifications", "notify_channels"):
        op.drop_table(table)

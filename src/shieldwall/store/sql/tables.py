"""The relational schema, declared once; Alembic migrations must match it (drift test)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    UniqueConstraint,
)

from shieldwall.store.sql.types import StoredText, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

organisations = Table(
    "organisations",
    metadata,
    Column("id", StoredText(64), primary_key=True),
    Column("name", StoredText(200), nullable=False),
    Column("kind", StoredText(16), nullable=False),
    Column("country", StoredText(2), nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("parent_id", StoredText(64), ForeignKey("organisations.id"), nullable=True),
    Column("status", StoredText(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("kind IN ('centre','nation','military','civil','industry')", name="kind"),
    CheckConstraint("status IN ('active','suspended')", name="status"),
)

people = Table(
    "people",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("name", StoredText(200), nullable=False),
    Column("email", StoredText(254), nullable=False, unique=True),
    Column("email_key", StoredText(320), nullable=False),
    Column("role", StoredText(16), nullable=False),
    Column("password_hash", StoredText(200), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("role IN ('admin','lead','analyst','liaison','sensor')", name="role"),
    Index("ix_people_org_id", "org_id"),
    Index("uq_people_email_key", "email_key", unique=True),
)
"""``email_key`` is the address under :func:`shieldwall.model.emails.email_key`: one person
per address however it is spelt, guaranteed by the database."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", StoredText(32), primary_key=True),
    Column("person_id", StoredText(36), ForeignKey("people.id"), nullable=False),
    Column("name", StoredText(200), nullable=False),
    Column("secret_hash", StoredText(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Index("ix_api_tokens_person_id", "person_id"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("principal", StoredText(64), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("action", StoredText(64), nullable=False),
    Column("object_type", StoredText(64), nullable=False),
    Column("object_id", StoredText(256), nullable=False),
    Column("outcome", StoredText(16), nullable=False),
    Column("detail", StoredText(), nullable=False),
    Column("prev_hash", StoredText(64), nullable=False),
    Column("hash", StoredText(64), nullable=False),
    Index("ix_audit_entries_org_id_seq", "org_id", "seq"),
)
"""A lead reads its own organisation's entries: the (org_id, seq) index serves that page."""

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", StoredText(64), nullable=False),
    Column("signature", StoredText(128), nullable=False),
    Column("key_id", StoredText(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("prev_checkpoint", BigInteger, nullable=False),
)
"""Every N entries a signed statement of the chain so far; each names the one before it."""

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", StoredText(8), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", StoredText(64), nullable=False),
    Column("signature", StoredText(128), nullable=False),
    Column("key_id", StoredText(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("prev_checkpoint", BigInteger, nullable=False),
)
"""One row, rewritten on every commit that appends: the signed end of the chain (detects
truncation), naming the newest checkpoint at or before it."""

# --- intelligence (issue 4): STIX versions, index terms, TAXII bookkeeping -----------------
# Audience sets are stored as ",a,b," text so a LIKE '%,a,%' test filters them in SQL on
# both databases; the policy gate confirms every row it serves.

intel_sequence = Table(
    "intel_sequence",
    metadata,
    Column("id", StoredText(16), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("date_added", UtcDateTime(), nullable=False),
)
"""One row: the last sequence number and date_added handed out (both strictly increase)."""

intel_objects = Table(
    "intel_objects",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("stix_id", StoredText(128), nullable=False),
    Column("stix_type", StoredText(64), nullable=False),
    Column("version", UtcDateTime(), nullable=False),
    Column("spec_version", StoredText(8), nullable=False),
    Column("date_added", UtcDateTime(), nullable=False),
    Column("producer_org_id", StoredText(64), nullable=False),
    Column("tlp", SmallInteger, nullable=True),
    Column("marking_refs", StoredText(), nullable=False),
    Column("recipient_org_ids", StoredText(), nullable=False),
    Column("recipient_person_ids", StoredText(), nullable=False),
    Column("community_ids", StoredText(), nullable=False),
    Column("releasable_to", StoredText(), nullable=True),
    Column("is_latest", Boolean, nullable=False),
    Column("is_first", Boolean, nullable=False),
    Column("refs", StoredText(), nullable=False),
    Column("body", StoredText(), nullable=False),
    UniqueConstraint("stix_id", "producer_org_id", "version", name="uq_intel_objects_version"),
    Index("ix_intel_objects_stix_id", "stix_id"),
    Index("ix_intel_objects_type_seq", "stix_type", "seq"),
    Index("ix_intel_objects_producer_seq", "producer_org_id", "seq"),
    Index("ix_intel_objects_date_added", "date_added"),
)

intel_terms = Table(
    "intel_terms",
    metadata,
    Column("seq", BigInteger, ForeignKey("intel_objects.seq", ondelete="CASCADE"), nullable=False),
    Column("kind", StoredText(16), nullable=False),
    Column("value", StoredText(512), nullable=False),
    Column("lo", StoredText(40), nullable=True),
    Column("hi", StoredText(40), nullable=True),
    Index("ix_intel_terms_kind_value", "kind", "value"),
    Index("ix_intel_terms_kind_lo", "kind", "lo"),
    Index("ix_intel_terms_seq", "seq"),
)

intel_revocations = Table(
    "intel_revocations",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("stix_id", StoredText(128), nullable=False),
    Column("version", UtcDateTime(), nullable=True),
    Column("reason", StoredText(32), nullable=False),
    Column("producer_org_id", StoredText(64), nullable=False),
    Column("tlp", SmallInteger, nullable=True),
    Column("marking_refs", StoredText(), nullable=False),
    Column("recipient_org_ids", StoredText(), nullable=False),
    Column("recipient_person_ids", StoredText(), nullable=False),
    Column("community_ids", StoredText(), nullable=False),
    Column("releasable_to", StoredText(), nullable=True),
)

taxii_collections = Table(
    "taxii_collections",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("kind", StoredText(16), nullable=False),
    Column("subject", StoredText(64), nullable=False),
    Column("title", StoredText(200), nullable=False),
    Column("description", StoredText(), nullable=False),
    Column("max_tlp", SmallInteger, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("kind", "subject", name="uq_taxii_collections_view"),
    CheckConstraint("kind IN ('federation','member','recipient','community')", name="kind"),
)

taxii_statuses = Table(
    "taxii_statuses",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("org_id", StoredText(64), nullable=False),
    Column("person_id", StoredText(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("total", Integer, nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_taxii_statuses_created_at", "created_at"),
)

communities = Table(
    "communities",
    metadata,
    Column("id", StoredText(64), primary_key=True),
    Column("name", StoredText(200), nullable=False),
    Column("rules", JSON, nullable=False),
    Column("members", JSON, nullable=False),
    Column("excluded", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

taxii_feed_state = Table(
    "taxii_feed_state",
    metadata,
    Column("name", StoredText(64), primary_key=True),
    Column("added_after", StoredText(40), nullable=True),
    Column("last_run_at", UtcDateTime(), nullable=True),
    Column("last_success_at", UtcDateTime(), nullable=True),
    Column("last_error", StoredText(), nullable=False),
    Column("objects_total", BigInteger, nullable=False),
    Column("runs", Integer, nullable=False),
)
"""Resume point and last outcome of each pulled TAXII feed (owned by share/taxii_client)."""

alerts = Table(
    "alerts",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("key", StoredText(300), nullable=False),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("rule_id", StoredText(200), nullable=False),
    Column("rule_title", StoredText(500), nullable=False),
    Column("level", StoredText(16), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("event_time", UtcDateTime(), nullable=True),
    Column("source", StoredText(1000), nullable=False),
    Column("matched", JSON, nullable=False),
    Column("event", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("dedup_key", StoredText(300), nullable=False, unique=True),
    Column("hit_count", Integer, nullable=False),
    Column("last_seen", UtcDateTime(), nullable=True),
    Column("entities", JSON, nullable=False),
    Column("techniques", JSON, nullable=False),
    Column("kind", StoredText(32), nullable=False),
    Index("ix_alerts_org_seq", "org_id", "seq"),
)
"""Alerts of the live pipeline (owned by live/); ``alert_hits.key`` makes a redelivery
change nothing, ``dedup_key`` counts a duplicate on the alert it repeats (``key`` is the
first hit's, not unique: replicas storing that hit race on ``dedup_key`` alone)."""

alert_hits = Table(
    "alert_hits",
    metadata,
    Column("key", StoredText(300), primary_key=True),
    Column("alert_seq", BigInteger, ForeignKey("alerts.seq"), nullable=False),
    Column("event_time", UtcDateTime(), nullable=True),
    Column("entities", JSON, nullable=False),
)
"""Every match counted on an alert, by its idempotency key: a redelivery counts nothing."""

incidents = Table(
    "incidents",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("title", StoredText(500), nullable=False),
    Column("severity", StoredText(16), nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("assignee", StoredText(64), nullable=True),
    Column("close_reason", StoredText(1000), nullable=True),
    Column("merged_into", BigInteger, nullable=True),
    Column("alert_count", Integer, nullable=False),
    Column("first_seen", UtcDateTime(), nullable=True),
    Column("last_seen", UtcDateTime(), nullable=True),
    Column("opened_by", StoredText(300), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_incidents_org_id", "org_id", "id"),
)
"""Incidents (owned by fuse/): alerts grouped; ``opened_by`` is the hit that opened it."""

incident_alerts = Table(
    "incident_alerts",
    metadata,
    Column("alert_seq", BigInteger, ForeignKey("alerts.seq"), primary_key=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Index("ix_incident_alerts_incident", "incident_id", "alert_seq"),
)
"""Which incident each alert is in (one at most)."""

incident_links = Table(
    "incident_links",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("link", StoredText(400), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_incident_links_lookup", "org_id", "link", "at"),
    Index("ix_incident_links_incident", "incident_id"),
)
"""The grouping keys (same host, user, observable) of each hit and its time."""

incident_history = Table(
    "incident_history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", StoredText(200), nullable=False),
    Column("action", StoredText(32), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_incident_history_incident", "incident_id", "id"),
)
"""Every change of an incident, comments included: who, when, what."""

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("link", StoredText(400), nullable=False, unique=True),
    Column("members", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
"""Observables held by incidents (owned by fuse/); a campaign once ``members`` reaches 2."""

campaign_links = Table(
    "campaign_links",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("link", StoredText(400), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False),
    Column("first_seen", UtcDateTime(), nullable=False),
    UniqueConstraint("link", "incident_id", name="uq_campaign_links_link_incident"),
    Index("ix_campaign_links_link_org", "link", "org_id"),
)
"""Which incidents hold each observable, member by member."""

fuse_applied = Table(
    "fuse_applied",
    metadata,
    Column("key", StoredText(300), primary_key=True),
    Column("incident_id", BigInteger, nullable=False),
)
"""Alert hits already fused: a redelivered ``alerts.raised`` message changes nothing."""
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", StoredText(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("window_start", UtcDateTime(), nullable=False),
    Index("ix_login_throttle_window_start", "window_start"),
)
"""Login attempts per account and per client address (as SHA-256 keys) in the current
window, counted before the password is checked (owned by access/throttle)."""

_PB_ID = BigInteger().with_variant(Integer, "sqlite")
playbooks = Table(
    "playbooks",
    metadata,
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), primary_key=True),
    Column("id", StoredText(64), primary_key=True),
    Column("name", StoredText(300), nullable=False),
    Column("document", JSON, nullable=False),
    Column("triggers", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
"""CACAO 2.0 playbooks as imported (validated), with Shieldwall's triggers beside them;
one copy per owner organisation (members share playbooks: each imports its own)."""
playbook_runs = Table(
    "playbook_runs",
    metadata,
    Column("id", _PB_ID, primary_key=True),
    Column("playbook_org", StoredText(64), nullable=False),
    Column("playbook_id", StoredText(64), nullable=False),
    Column("start_key", StoredText(300), nullable=False, unique=True),
    Column("org_id", StoredText(64), nullable=False),
    Column("concerns", JSON, nullable=False),
    Column("principal", JSON, nullable=False),
    Column("trigger", JSON, nullable=False),
    Column("variables", JSON, nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("outcome", StoredText(1000), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_playbook_runs_status", "status", "id"),
    ForeignKeyConstraint(
        ["playbook_org", "playbook_id"],
        ["playbooks.org_id", "playbooks.id"],
        name="fk_playbook_runs_playbook",
    ),
)
"""Durable runs; ``start_key`` (trigger and subject) starts a run once."""
playbook_journal = Table(
    "playbook_journal",
    metadata,
    Column("seq", _PB_ID, primary_key=True),
    Column("run_id", BigInteger, ForeignKey("playbook_runs.id"), nullable=False),
    Column("key", StoredText(300), nullable=False, unique=True),
    Column("step_id", StoredText(200), nullable=False),
    Column("kind", StoredText(64), nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("outputs", JSON, nullable=False),
    Column("actor", StoredText(200), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_playbook_journal_run", "run_id", "seq"),
)
"""Each step of a run done once: the idempotency key (run, step, occurrence) is unique."""
playbook_approvals = Table(
    "playbook_approvals",
    metadata,
    Column("id", _PB_ID, primary_key=True),
    Column("run_id", BigInteger, ForeignKey("playbook_runs.id"), nullable=False),
    Column("key", StoredText(300), nullable=False, unique=True),
    Column("step_id", StoredText(200), nullable=False),
    Column("members", JSON, nullable=False),
    Column("required", Integer, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=True),
    Index("ix_playbook_approvals_status", "status", "expires_at"),
)
"""Steps waiting for a centre lead or N of M members; they outlive any process."""
playbook_votes = Table(
    "playbook_votes",
    metadata,
    Column("approval_id", BigInteger, ForeignKey("playbook_approvals.id"), primary_key=True),
    Column("org_id", StoredText(64), primary_key=True),
    Column("person_id", StoredText(64), nullable=False),
    Column("approve", Boolean, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)
"""One decision per organisation and approval (the primary key enforces it)."""

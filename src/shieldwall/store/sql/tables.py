"""The relational schema, declared once; Alembic migrations must match it (drift test)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
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
    Index("ix_alerts_created_at", "created_at"),
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

incident_releases = Table(
    "incident_releases",
    metadata,
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), primary_key=True),
    Column("org_id", StoredText(64), nullable=False),
    Column("marking_ref", StoredText(100), nullable=False),
    Column("name_member", Boolean, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("note", StoredText(), nullable=False),
    Column("released_by", StoredText(64), nullable=False),
    Column("released_at", UtcDateTime(), nullable=False),
)
"""What a member released of its incident to the other members of its campaigns."""

fuse_applied = Table(
    "fuse_applied",
    metadata,
    Column("key", StoredText(300), primary_key=True),
    Column("incident_id", BigInteger, nullable=False),
)
"""Alert hits already fused: a redelivered ``alerts.raised`` message changes nothing."""
posture_history = Table(
    "posture_history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kind", StoredText(16), nullable=False),
    Column("key", StoredText(64), nullable=False),
    Column("after_id", BigInteger, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("previous", SmallInteger, nullable=True),
    Column("score", Float, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("kind", "key", "after_id", name="uq_posture_history_scope_after"),
    CheckConstraint("kind IN ('member','sector','coalition')", name="kind"),
)
"""Every change of a scope's posture level (owned by fuse/); ``after_id`` is the scope's
previous change (0 for its first), so two recomputations racing record one change."""

posture_levels = Table(
    "posture_levels",
    metadata,
    Column("kind", StoredText(16), primary_key=True),
    Column("key", StoredText(64), primary_key=True),
    Column("history_id", BigInteger, ForeignKey("posture_history.id"), nullable=False),
)
"""Each scope's current level: its latest change."""

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

measures = Table(
    "measures",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("key", StoredText(200), nullable=False),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("issued_by", StoredText(200), nullable=False),
    Column("kind", StoredText(16), nullable=False),
    Column("value", StoredText(2100), nullable=False),
    Column("reason", StoredText(1000), nullable=False),
    Column("confidence", SmallInteger, nullable=False),
    Column("tlp", StoredText(16), nullable=False),
    Column("community_ids", StoredText(4000), nullable=False),
    Column("recipient_org_ids", StoredText(4000), nullable=False),
    Column("valid_until", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("withdrawn_by", StoredText(200), nullable=False),
    Column("withdraw_reason", StoredText(1000), nullable=False),
    Index("uq_measures_key", "key", unique=True),
    Index("ix_measures_current", "withdrawn_at", "valid_until"),
)
"""Protective measures explicitly issued (owned by respond/measures); ``key`` is the
idempotency key the issuer gave, so issuing twice issues once. Communities and members are
slugs joined by blanks (read for every measure of every list built: no JSON to parse)."""

measure_subscriptions = Table(
    "measure_subscriptions",
    metadata,
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), primary_key=True),
    Column("name", StoredText(64), primary_key=True),
    Column("kinds", JSON, nullable=False),
    Column("formats", JSON, nullable=False),
    Column("min_confidence", SmallInteger, nullable=False),
    Column("indicators", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
"""What each member wants of the measures, and in which formats."""

measure_allow = Table(
    "measure_allow",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("scope", StoredText(64), nullable=False),
    Column("kind", StoredText(16), nullable=False),
    Column("value", StoredText(300), nullable=False),
    Column("note", StoredText(500), nullable=False),
    Column("created_by", StoredText(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("uq_measure_allow_entry", "scope", "kind", "value", unique=True),
)
"""Never block these: ``scope`` is a member's id, or ``*`` for the whole coalition."""

measure_versions = Table(
    "measure_versions",
    metadata,
    Column("org_id", StoredText(64), primary_key=True),
    Column("subscription", StoredText(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("digest", StoredText(64), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
"""Each version of a member's list: a new one only when the content's digest changed."""
_ID = BigInteger().with_variant(Integer, "sqlite")

cases = Table(
    "cases",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("incident_id", BigInteger, ForeignKey("incidents.id"), nullable=False, unique=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("opened_org", StoredText(64), nullable=False),
    Column("opened_by", StoredText(64), nullable=False),
    Column("title", StoredText(500), nullable=False),
    Column("severity", StoredText(16), nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("close_reason", StoredText(1000), nullable=True),
    Column("assignee", StoredText(64), nullable=True),
    Column("shift", StoredText(64), nullable=True),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint(
        "status IN ('new','triaged','in_progress','contained','closed')", name="status"
    ),
    Index("ix_cases_org_id", "org_id", "id"),
    Index("ix_cases_due_at", "status", "due_at"),
)
"""Cases (owned by respond/cases): one per incident, the unique index is the idempotency key."""

case_shares = Table(
    "case_shares",
    metadata,
    Column("case_id", BigInteger, ForeignKey("cases.id"), primary_key=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), primary_key=True),
    Column("max_tlp", SmallInteger, nullable=False),
    Column("shared_by", StoredText(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_case_shares_org_id", "org_id", "case_id"),
)
"""Members a case is shared with, and the highest TLP of the items each may receive."""

case_items = Table(
    "case_items",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id"), nullable=False),
    Column("kind", StoredText(16), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("author", StoredText(64), nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("body", StoredText(10000), nullable=False),
    Column("owner", StoredText(64), nullable=True),
    Column("due_at", UtcDateTime(), nullable=True),
    Column("status", StoredText(16), nullable=True),
    Column("observable_type", StoredText(32), nullable=True),
    Column("sha256", StoredText(64), ForeignKey("case_blobs.sha256"), nullable=True),
    Column("size", BigInteger, nullable=True),
    Column("media_type", StoredText(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("kind IN ('task','observable','evidence','comment')", name="kind"),
    Index("ix_case_items_case_id", "case_id", "created_at"),
    Index("ix_case_items_due", "kind", "status", "due_at"),
)
"""Tasks, observables, evidence files and comments, each with its TLP and author's member."""

case_blobs = Table(
    "case_blobs",
    metadata,
    Column("sha256", StoredText(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)
"""Evidence bytes, content-addressed: one copy per SHA-256, however many items name it."""

case_timeline = Table(
    "case_timeline",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", StoredText(64), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("action", StoredText(32), nullable=False),
    Column("item_id", StoredText(36), nullable=True),
    Column("owners_only", Boolean, nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_case_timeline_case_id", "case_id", "id"),
)
"""Every change of a case, with the item it is about (seen by whoever sees that item)."""

handovers = Table(
    "handovers",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("taken_by", StoredText(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("last_incident_id", BigInteger, nullable=False),
    Column("severities", JSON, nullable=False),
    Index("ix_handovers_org_id", "org_id", "id"),
)
"""Shift handovers per organisation; the last one is where the next report starts."""
detection_rules = Table(
    "detection_rules",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("owner", StoredText(64), nullable=False),
    Column("rule_id", StoredText(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("title", StoredText(500), nullable=False),
    Column("text", StoredText(), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("change", StoredText(16), nullable=False),
    Column("author", StoredText(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("owner", "rule_id", "version", name="uq_detection_rules_version"),
)
"""Every version of every managed Sigma rule (owned by live/rules): the centre's (owner
``*``) and each member's; ``max(seq)`` is the rule sets' version the detect workers poll."""

correlation_state = Table(
    "correlation_state",
    metadata,
    Column("member", StoredText(64), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
"""Each member's correlation state (owned by live/detect): by correlation rule, its groups'
windows or chains, saved with the alerts of the batch that changed it."""

correlation_fed = Table(
    "correlation_fed",
    metadata,
    Column("key", StoredText(300), primary_key=True),
)
"""Detections already fed to a member's correlations (member, event number, rule): a
redelivered batch feeds nothing twice."""

_SERIAL = BigInteger().with_variant(Integer, "sqlite")

notify_channels = Table(
    "notify_channels",
    metadata,
    Column("id", StoredText(36), primary_key=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("type", StoredText(16), nullable=False),
    Column("target", StoredText(2000), nullable=False),
    Column("secret", StoredText(500), nullable=True),
    Column("max_tlp", SmallInteger, nullable=False),
    Column("role", StoredText(16), nullable=True),
    Column("person_id", StoredText(36), nullable=True),
    Column("name", StoredText(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", StoredText(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("type IN ('webhook','email')", name="type"),
    CheckConstraint("max_tlp BETWEEN 0 AND 4", name="max_tlp"),
    Index("ix_notify_channels_org_id", "org_id"),
)
"""Members' notification channels (owned by respond/notify); ``secret`` is the webhook's
signing key, never read back into an answer."""

notifications = Table(
    "notifications",
    metadata,
    Column("id", _SERIAL, primary_key=True),
    Column("idempotency_key", StoredText(400), nullable=False, unique=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("sender", StoredText(64), nullable=False),
    Column("event_kind", StoredText(64), nullable=False),
    Column("subject", StoredText(300), nullable=False),
    Column("body", StoredText(20_000), nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("audience", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
"""Notifications sent (owned by respond/notify); a caller's key sends once."""

notify_deliveries = Table(
    "notify_deliveries",
    metadata,
    Column("id", _SERIAL, primary_key=True),
    Column("key", StoredText(500), nullable=False, unique=True),
    Column("notification_id", BigInteger, ForeignKey("notifications.id"), nullable=False),
    Column("channel_id", StoredText(36), ForeignKey("notify_channels.id"), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("reason", StoredText(64), nullable=False),
    Column("last_error", StoredText(500), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("status IN ('pending','delivered','dead','refused')", name="status"),
    UniqueConstraint("notification_id", "channel_id", name="uq_notify_deliveries_once"),
    Index("ix_notify_deliveries_due", "status", "next_attempt_at"),
    Index("ix_notify_deliveries_org", "org_id", "status", "id"),
)
"""The outbox: one row per notification and channel (the unique key is the idempotency
key a redelivery is recognised by); the delivery worker works from it."""

assist_requests = Table(
    "assist_requests",
    metadata,
    Column("id", _SERIAL, primary_key=True),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("requester", StoredText(64), nullable=False),
    Column("title", StoredText(300), nullable=False),
    Column("description", StoredText(20_000), nullable=False),
    Column("needs", JSON, nullable=False),
    Column("urgency", StoredText(16), nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("audience", JSON, nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("first_offer_at", UtcDateTime(), nullable=True),
    Column("accepted_at", UtcDateTime(), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("close_reason", StoredText(1000), nullable=False),
    Column("step_key", StoredText(300), nullable=True),  # 0019: the playbook step that asked
    CheckConstraint("status IN ('open','accepted','closed')", name="status"),
    Index("ux_assist_requests_step_key", "step_key", unique=True),
)
"""Requests for assistance (owned by respond/assist), with the times that measure help."""

assist_offers = Table(
    "assist_offers",
    metadata,
    Column("id", _SERIAL, primary_key=True),
    Column("request_id", BigInteger, ForeignKey("assist_requests.id"), nullable=False),
    Column("org_id", StoredText(64), ForeignKey("organisations.id"), nullable=False),
    Column("person_id", StoredText(64), nullable=False),
    Column("need", StoredText(32), nullable=False),
    Column("text", StoredText(10_000), nullable=False),
    Column("status", StoredText(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_assist_offers_request", "request_id", "id"),
)
"""Offers of help; an accepted offer is the helper's task, its status flows back."""

assist_history = Table(
    "assist_history",
    metadata,
    Column("id", _SERIAL, primary_key=True),
    Column("request_id", BigInteger, ForeignKey("assist_requests.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", StoredText(64), nullable=False),
    Column("org_id", StoredText(64), nullable=False),
    Column("action", StoredText(32), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_assist_history_request", "request_id", "id"),
)
"""Each request's timeline: asked, offered, accepted, progress, closed."""

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
    Column("context", JSON, nullable=True),  # 0019: what the approvers need to decide
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

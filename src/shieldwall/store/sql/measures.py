"""SQL repository for protective measures: issued measures, subscriptions, allow-lists and
the versions of each member's lists.

Idempotency is the database's: a measure's ``key`` and a version's (member,
subscription, number) are unique, so two replicas issuing under one key, or building the
same next version at once, leave one row (the loser gets a ConflictError and re-reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from shieldwall.model.measures import (
    AllowEntry,
    ListVersion,
    Measure,
    MeasureFormat,
    MeasureKind,
    Subscription,
)
from shieldwall.store.sql.tables import (
    measure_allow,
    measure_subscriptions,
    measure_versions,
    measures,
)

COALITION = "*"
_KINDS = {kind.value: kind for kind in MeasureKind}
_CHUNK = 500
"""Ids per ``IN (...)`` query: well under SQLite's bound-parameter limit."""


class SqlMeasures:
    """Measures, subscriptions, allow-lists and list versions in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, measure: Measure) -> None:
        """Store an issued measure (ConflictError when its key is taken)."""
        self._db.execute(insert(measures).values(**measure_row(measure)))

    def get(self, measure_id: str) -> Measure | None:
        row = self._db.execute(select(measures).where(measures.c.id == measure_id)).first()
        return None if row is None else _measure(row._mapping)

    def by_key(self, key: str) -> Measure | None:
        row = self._db.execute(select(measures).where(measures.c.key == key)).first()
        return None if row is None else _measure(row._mapping)

    def list(
        self, org_id: str | None = None, *, current_at: datetime | None = None
    ) -> Sequence[Measure]:
        """Measures (of one issuer when given), oldest first; only the current ones at
        ``current_at`` when given."""
        query = select(measures).order_by(measures.c.created_at, measures.c.id)
        if org_id is not None:
            query = query.where(measures.c.org_id == org_id)
        if current_at is not None:
            query = query.where(
                measures.c.withdrawn_at.is_(None),
                or_(measures.c.valid_until.is_(None), measures.c.valid_until > current_at),
            )
        return [_measure(row._mapping) for row in self._db.execute(query).all()]

    def current_ids(self, at: datetime) -> Sequence[str]:
        """The ids of the measures current at ``at``: one narrow column, so a builder can
        keep the measures it has read and fetch only the ones it has not (measures never
        change but for their withdrawal, which takes them out of this list)."""
        query = select(measures.c.id).where(
            measures.c.withdrawn_at.is_(None),
            or_(measures.c.valid_until.is_(None), measures.c.valid_until > at),
        )
        # row by row: fetching all rows first keeps 100,000 tuples alive at once, enough
        # to make the collector sweep every object of the process (a second, at that size)
        return [row[0] for row in self._db.execute(query)]

    def many(self, ids: Sequence[str]) -> Sequence[Measure]:
        """The measures of these ids (those that exist), in no particular order."""
        found: list[Measure] = []
        for start in range(0, len(ids), _CHUNK):
            query = select(measures).where(measures.c.id.in_(ids[start : start + _CHUNK]))
            found.extend(_measure(row._mapping) for row in self._db.execute(query))
        return found

    def stamp(self) -> tuple[int, int]:
        """How many measures exist, and how many are withdrawn: measures are only added and
        withdrawn (once), so an unchanged pair is an unchanged table."""
        row = self._db.execute(
            select(func.count(), func.count(measures.c.withdrawn_at)).select_from(measures)
        ).one()
        return int(row[0]), int(row[1])

    def withdraw(self, measure_id: str, at: datetime, by: str, reason: str) -> bool:
        """Mark the measure withdrawn; False when it already was."""
        done = self._db.execute(
            update(measures)
            .where(measures.c.id == measure_id, measures.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at, withdrawn_by=by, withdraw_reason=reason)
        )
        return bool(done.rowcount)

    def subscribe(self, subscription: Subscription) -> None:
        """Create or replace the member's subscription of that name."""
        key = and_(
            measure_subscriptions.c.org_id == subscription.org_id,
            measure_subscriptions.c.name == subscription.name,
        )
        self._db.execute(delete(measure_subscriptions).where(key))
        row = _subscription_row(subscription)
        row["created_at"] = subscription.created_at or self._now
        self._db.execute(insert(measure_subscriptions).values(**row))

    def unsubscribe(self, org_id: str, name: str) -> bool:
        done = self._db.execute(
            delete(measure_subscriptions).where(
                measure_subscriptions.c.org_id == org_id, measure_subscriptions.c.name == name
            )
        )
        return bool(done.rowcount)

    def subscriptions(self, org_id: str | None = None) -> Sequence[Subscription]:
        query = select(measure_subscriptions).order_by(
            measure_subscriptions.c.org_id, measure_subscriptions.c.name
        )
        if org_id is not None:
            query = query.where(measure_subscriptions.c.org_id == org_id)
        return [_subscription(row._mapping) for row in self._db.execute(query)]

    def allow(self, entry: AllowEntry) -> None:
        """Add a never-block entry (ConflictError when the same one exists)."""
        scope = COALITION if entry.org_id is None else entry.org_id
        row = {
            "id": entry.id,
            "scope": scope,
            "kind": entry.kind.value,
            "value": entry.value,
            "note": entry.note,
            "created_by": entry.created_by,
            "created_at": entry.created_at,
        }
        self._db.execute(insert(measure_allow).values(**row))

    def allow_entry(self, entry_id: str) -> AllowEntry | None:
        row = self._db.execute(select(measure_allow).where(measure_allow.c.id == entry_id)).first()
        return None if row is None else _allow(row._mapping)

    def disallow(self, entry_id: str) -> bool:
        done = self._db.execute(delete(measure_allow).where(measure_allow.c.id == entry_id))
        return bool(done.rowcount)

    def allowed(self, org_id: str | None) -> Sequence[AllowEntry]:
        """The coalition's entries, and the member's own when ``org_id`` is given."""
        scopes = [COALITION] if org_id is None else [COALITION, org_id]
        query = (
            select(measure_allow)
            .where(measure_allow.c.scope.in_(scopes))
            .order_by(measure_allow.c.scope, measure_allow.c.kind, measure_allow.c.value)
        )
        return [_allow(row._mapping) for row in self._db.execute(query)]

    def latest_version(self, org_id: str, subscription: str) -> ListVersion | None:
        row = self._db.execute(
            select(measure_versions)
            .where(
                measure_versions.c.org_id == org_id,
                measure_versions.c.subscription == subscription,
            )
            .order_by(measure_versions.c.version.desc())
            .limit(1)
        ).first()
        return None if row is None else _version(row._mapping)

    def add_version(self, version: ListVersion) -> None:
        """Record a new version (ConflictError when another writer took that number)."""
        self._db.execute(
            insert(measure_versions).values(
                org_id=version.org_id,
                subscription=version.subscription,
                version=version.version,
                digest=version.digest,
                counts=dict(version.counts),
                created_at=version.created_at,
            )
        )


def measure_row(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "key": measure.key,
        "org_id": measure.org_id,
        "issued_by": measure.issued_by,
        "kind": measure.kind.value,
        "value": measure.value,
        "reason": measure.reason,
        "confidence": measure.confidence,
        "tlp": measure.tlp,
        "community_ids": " ".join(sorted(measure.community_ids)),
        "recipient_org_ids": " ".join(sorted(measure.recipient_org_ids)),
        "valid_until": measure.valid_until,
        "created_at": measure.created_at,
        "withdrawn_at": measure.withdrawn_at,
        "withdrawn_by": measure.withdrawn_by,
        "withdraw_reason": measure.withdraw_reason,
    }


def _measure(row: Any) -> Measure:
    return Measure(
        id=row["id"],
        key=row["key"],
        org_id=row["org_id"],
        issued_by=row["issued_by"],
        kind=_KINDS[row["kind"]],
        value=row["value"],
        reason=row["reason"],
        valid_until=row["valid_until"],
        created_at=row["created_at"],
        confidence=int(row["confidence"]),
        tlp=row["tlp"],
        community_ids=frozenset(row["community_ids"].split()),
        recipient_org_ids=frozenset(row["recipient_org_ids"].split()),
        withdrawn_at=row["withdrawn_at"],
        withdrawn_by=row["withdrawn_by"],
        withdraw_reason=row["withdraw_reason"],
    )


def _subscription_row(sub: Subscription) -> dict[str, Any]:
    return {
        "org_id": sub.org_id,
        "name": sub.name,
        "kinds": sorted(kind.value for kind in sub.kinds),
        "formats": sorted(fmt.value for fmt in sub.formats),
        "min_confidence": sub.min_confidence,
        "indicators": sub.indicators,
        "created_at": sub.created_at,
    }


def _subscription(row: Any) -> Subscription:
    return Subscription(
        org_id=row["org_id"],
        name=row["name"],
        kinds=frozenset(MeasureKind(kind) for kind in row["kinds"]),
        formats=frozenset(MeasureFormat(fmt) for fmt in row["formats"]),
        min_confidence=int(row["min_confidence"]),
        indicators=bool(row["indicators"]),
        created_at=row["created_at"],
    )


def _allow(row: Any) -> AllowEntry:
    scope = row["scope"]
    return AllowEntry(
        id=row["id"],
        org_id=None if scope == COALITION else scope,
        kind=MeasureKind(row["kind"]),
        value=row["value"],
        note=row["note"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


def _version(row: Any) -> ListVersion:
    return ListVersion(
        org_id=row["org_id"],
        subscription=row["subscription"],
        version=int(row["version"]),
        digest=row["digest"],
        created_at=row["created_at"],
        counts=dict(row["counts"]),
    )

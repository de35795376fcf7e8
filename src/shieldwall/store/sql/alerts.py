"""SQL repository for alerts: each match counted once, duplicates counted on one alert.

A match (a hit) is keyed by its idempotency key (member, bus sequence, rule). Only a hit
whose key is new touches its alert: it opens the alert or, when an alert with the same
dedup key exists, adds one to its count. Both happen in the caller's transaction, so a
redelivered event counts nothing and two replicas racing on one event count it once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, bindparam, case, cast, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.alert import (
    Alert,
    AlertCount,
    AlertHit,
    AlertTechniques,
    Entities,
    NewAlert,
)
from shieldwall.store.sql.tables import alert_hits, alerts


def _alert(row: Any) -> Alert:
    return Alert(
        seq=row.seq,
        key=row.key,
        org_id=row.org_id,
        rule_id=row.rule_id,
        rule_title=row.rule_title,
        level=row.level,
        tags=tuple(row.tags),
        event_time=row.event_time,
        source=row.source,
        matched=dict(row.matched),
        event=dict(row.event),
        created_at=row.created_at,
        entities=Entities.from_json(row.entities),
        techniques=tuple(row.techniques),
        kind=row.kind,
        dedup_key=row.dedup_key,
        count=row.hit_count,
        last_seen=row.last_seen,
    )


def _upsert_statement(dialect: Any) -> Any:
    """Insert an alert, or count its hits on the alert of the same dedup key: built once
    per dialect (building it costs more than running it)."""
    statement = dialect.insert(alerts)
    later = statement.excluded.last_seen
    return statement.on_conflict_do_update(
        index_elements=["dedup_key"],
        set_={
            "hit_count": alerts.c.hit_count + statement.excluded.hit_count,
            "last_seen": case(
                (alerts.c.last_seen.is_(None), later),
                (later > alerts.c.last_seen, later),
                else_=alerts.c.last_seen,
            ),
        },
    ).returning(alerts.c.seq)


_UPSERTS: dict[str, Any] = {}

_TECHNIQUES = select(
    alerts.c.seq, alerts.c.event_time, alerts.c.created_at, alerts.c.techniques
).where(alerts.c.seq.in_(bindparam("seqs", expanding=True)))

_HITS = (
    select(
        alert_hits.c.key.label("hit_key"),
        alert_hits.c.event_time.label("hit_time"),
        alert_hits.c.entities.label("hit_entities"),
        alerts,
    )
    .join(alerts, alerts.c.seq == alert_hits.c.alert_seq)
    .where(alert_hits.c.key.in_(bindparam("keys", expanding=True)))
)


class SqlAlerts:
    """Alerts in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def add(self, new: Sequence[NewAlert]) -> int:
        """Count the hits whose key is new; return how many were.

        The unique keys decide, in the database, so two deliveries of one event (a crash
        before the acknowledgement, two replicas) count once. A batch costs one read, one
        upsert per alert it counts on, and one insert of its hits.
        """
        known = self._known({alert.key for alert in new})
        groups: dict[str, list[NewAlert]] = {}
        for alert in new:
            if alert.key not in known:
                known.add(alert.key)  # the same hit twice in one batch counts once
                groups.setdefault(alert.dedup_key or alert.key, []).append(alert)
        if not groups:
            return 0
        # in key order, so replicas racing on overlapping batches lock rows in one order
        seqs = {dedup: self._upsert(groups[dedup][0], groups[dedup]) for dedup in sorted(groups)}
        rows = [
            {
                "key": alert.key,
                "alert_seq": seqs[dedup],
                "event_time": alert.event_time,
                "entities": alert.entities.as_json(),
            }
            for dedup, hits in groups.items()
            for alert in hits
        ]
        rows.sort(key=lambda row: str(row["key"]))
        statement = (
            self._dialect.insert(alert_hits)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(alert_hits.c.key)
        )
        claimed = {row.key for row in self._db.execute(statement, rows)}
        self._take_back(rows, claimed)
        return len(claimed)

    def _known(self, keys: set[str]) -> set[str]:
        """Which of these hits are counted already (a redelivery: answered by a read)."""
        found = select(alert_hits.c.key).where(alert_hits.c.key.in_(sorted(keys)))
        return {row.key for row in self._db.execute(found)} if keys else set()

    def _take_back(self, rows: list[dict[str, Any]], claimed: set[str]) -> None:
        """Uncount the hits another replica counted meanwhile; drop alerts left empty."""
        lost: dict[int, int] = {}
        for row in rows:
            if row["key"] not in claimed:
                lost[row["alert_seq"]] = lost.get(row["alert_seq"], 0) + 1
        for seq, count in lost.items():
            self._db.execute(
                update(alerts)
                .where(alerts.c.seq == seq)
                .values(hit_count=alerts.c.hit_count - count)
            )
        if lost:
            self._db.execute(delete(alerts).where(alerts.c.seq.in_(lost), alerts.c.hit_count <= 0))

    def _upsert(self, alert: NewAlert, hits: Sequence[NewAlert]) -> int:
        """The alert's sequence: a new row (``alert``'s evidence), or the existing one
        counted up by ``hits``.

        The upsert locks the row on PostgreSQL, which orders replicas racing on one alert.
        """
        times = [hit.event_time for hit in hits if hit.event_time is not None]
        latest = max(times) if times else None
        row = {
            "key": alert.key,
            "org_id": alert.org_id,
            "rule_id": alert.rule_id,
            "rule_title": alert.rule_title,
            "level": alert.level,
            "tags": list(alert.tags),
            "event_time": alert.event_time,
            "source": alert.source,
            "matched": alert.matched,
            "event": alert.event,
            "created_at": self._now,
            "dedup_key": alert.dedup_key or alert.key,
            "hit_count": len(hits),
            "last_seen": latest,
            "entities": alert.entities.as_json(),
            "techniques": list(alert.techniques),
            "kind": alert.kind,
        }
        statement = _UPSERTS.get(self._db.dialect.name)
        if statement is None:
            statement = _UPSERTS.setdefault(self._db.dialect.name, _upsert_statement(self._dialect))
        return int(self._db.execute(statement, row).scalar_one())

    def page(self, org_ids: Collection[str] | None, *, after: int, limit: int) -> Sequence[Alert]:
        """Alerts after ``after`` in sequence order, of these organisations (None: all)."""
        query = select(alerts).where(alerts.c.seq > after).order_by(alerts.c.seq).limit(limit)
        if org_ids is not None:
            query = query.where(alerts.c.org_id.in_(sorted(org_ids)))
        return [_alert(row) for row in self._db.execute(query)]

    def latest(
        self,
        org_ids: Collection[str] | None,
        *,
        before: int,
        limit: int,
        technique: str | None = None,
    ) -> Sequence[Alert]:
        """Newest first, before sequence ``before`` (0: from the newest)."""
        query = select(alerts).order_by(alerts.c.seq.desc()).limit(limit)
        if before > 0:
            query = query.where(alerts.c.seq < before)
        if org_ids is not None:
            query = query.where(alerts.c.org_id.in_(sorted(org_ids)))
        if technique is not None:  # the JSON list's text holds each id in quotes
            needle = '%"' + technique.replace("\\", "").replace("%", "").replace("_", "") + '"%'
            query = query.where(cast(alerts.c.techniques, Text).like(needle))
        return [_alert(row) for row in self._db.execute(query)]

    def counts(
        self, org_ids: Collection[str] | None, *, since: datetime, until: datetime
    ) -> Sequence[AlertCount]:
        """Summed in the database, grouped by member and the techniques' JSON text."""
        listed = cast(alerts.c.techniques, Text)
        query = (
            select(
                alerts.c.org_id, listed.label("listed"), func.count(), func.sum(alerts.c.hit_count)
            )
            .where(alerts.c.created_at >= since, alerts.c.created_at < until)
            .group_by(alerts.c.org_id, listed)
        )
        if org_ids is not None:
            query = query.where(alerts.c.org_id.in_(sorted(org_ids)))
        return [
            AlertCount(row[0], tuple(json.loads(row[1])), int(row[2]), int(row[3] or 0))
            for row in self._db.execute(query)
        ]

    def get(self, seq: int) -> Alert | None:
        row = self._db.execute(select(alerts).where(alerts.c.seq == seq)).first()
        return _alert(row) if row else None

    def many(self, seqs: Collection[int]) -> Sequence[Alert]:
        """The alerts with these sequences, in sequence order."""
        query = select(alerts).where(alerts.c.seq.in_(sorted(seqs)))
        return [_alert(row) for row in self._db.execute(query.order_by(alerts.c.seq))]

    def techniques(self, seqs: Collection[int]) -> Sequence[AlertTechniques]:
        """The techniques of these alerts, without their evidence (a chain's read)."""
        if not seqs:
            return []
        rows = self._db.execute(_TECHNIQUES, {"seqs": sorted(seqs)})
        return [
            AlertTechniques(row.seq, row.event_time or row.created_at, tuple(row.techniques))
            for row in rows
        ]

    def hit(self, key: str) -> AlertHit | None:
        """A counted hit and the alert it is counted on; None if never stored."""
        return self.hits([key]).get(key)

    def hits(self, keys: Collection[str]) -> dict[str, AlertHit]:
        """The counted hits of these keys, in one read (a key never stored is left out);
        the hits of one alert share one :class:`Alert`."""
        if not keys:
            return {}
        found: dict[str, AlertHit] = {}
        read: dict[int, Alert] = {}
        for row in self._db.execute(_HITS, {"keys": sorted(keys)}):
            alert = read.get(row.seq)
            if alert is None:
                alert = read[row.seq] = _alert(row)
            entities = Entities.from_json(row.hit_entities)
            found[row.hit_key] = AlertHit(row.hit_key, alert, row.hit_time, entities)
        return found

    def hit_count(self) -> int:
        """How many hits are counted, over every alert (what an offline scan would find)."""
        return int(self._db.execute(select(func.count()).select_from(alert_hits)).scalar_one())

"""SQL repository for alerts: each match counted once, duplicates counted on one alert.

A match (a hit) is keyed by its idempotency key (member, bus sequence, rule). Only a hit
whose key is new touches its alert: it opens the alert or, when an alert with the same
dedup key exists, adds one to its count. Both happen in the caller's transaction, so a
redelivered event counts nothing and two replicas racing on one event count it once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.alert import Alert, AlertHit, Entities, NewAlert
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


class SqlAlerts:
    """Alerts in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def add(self, new: Sequence[NewAlert]) -> int:
        """Count the hits whose key is new; return how many were.

        The unique keys decide, in the database, so two deliveries of one event (a crash
        before the acknowledgement, two replicas) count once.
        """
        fresh = 0
        for alert in new:
            if self._claim(alert):
                fresh += 1
        return fresh

    def _claim(self, alert: NewAlert) -> bool:
        """Record the hit if its key is new, on its alert (opened or counted)."""
        if self._is_hit(alert.key):  # a redelivery: the usual case, answered by a read
            return False
        seq, count = self._upsert(alert)
        claimed = self._db.execute(
            self._dialect.insert(alert_hits)
            .values(
                key=alert.key,
                alert_seq=seq,
                event_time=alert.event_time,
                entities=alert.entities.as_json(),
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(alert_hits.c.key)
        ).first()
        if claimed is None:  # another replica counted it meanwhile: take ours back
            if count == 1:
                self._db.execute(delete(alerts).where(alerts.c.seq == seq))
            else:
                self._db.execute(
                    update(alerts)
                    .where(alerts.c.seq == seq)
                    .values(hit_count=alerts.c.hit_count - 1)
                )
            return False
        return True

    def _upsert(self, alert: NewAlert) -> tuple[int, int]:
        """The alert's sequence and count: a new row, or the existing one counted up.

        The upsert locks the row on PostgreSQL, which orders replicas racing on one alert.
        """
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
            "hit_count": 1,
            "last_seen": alert.event_time,
            "entities": alert.entities.as_json(),
            "techniques": list(alert.techniques),
            "kind": alert.kind,
        }
        statement = self._dialect.insert(alerts).values(row)
        later = statement.excluded.last_seen
        statement = statement.on_conflict_do_update(
            index_elements=["dedup_key"],
            set_={
                "hit_count": alerts.c.hit_count + 1,
                "last_seen": case(
                    (alerts.c.last_seen.is_(None), later),
                    (later > alerts.c.last_seen, later),
                    else_=alerts.c.last_seen,
                ),
            },
        ).returning(alerts.c.seq, alerts.c.hit_count)
        seq, count = self._db.execute(statement).one()
        return int(seq), int(count)

    def _is_hit(self, key: str) -> bool:
        found = select(alert_hits.c.key).where(alert_hits.c.key == key)
        return self._db.execute(found).first() is not None

    def page(self, org_ids: Collection[str] | None, *, after: int, limit: int) -> Sequence[Alert]:
        """Alerts after ``after`` in sequence order, of these organisations (None: all)."""
        query = select(alerts).where(alerts.c.seq > after).order_by(alerts.c.seq).limit(limit)
        if org_ids is not None:
            query = query.where(alerts.c.org_id.in_(sorted(org_ids)))
        return [_alert(row) for row in self._db.execute(query)]

    def get(self, seq: int) -> Alert | None:
        row = self._db.execute(select(alerts).where(alerts.c.seq == seq)).first()
        return _alert(row) if row else None

    def many(self, seqs: Collection[int]) -> Sequence[Alert]:
        """The alerts with these sequences, in sequence order."""
        query = select(alerts).where(alerts.c.seq.in_(sorted(seqs)))
        return [_alert(row) for row in self._db.execute(query.order_by(alerts.c.seq))]

    def hit(self, key: str) -> AlertHit | None:
        """A counted hit and the alert it is counted on; None if never stored."""
        found = self._db.execute(
            select(alert_hits.c.event_time, alert_hits.c.entities.label("hit_entities"), alerts)
            .join(alerts, alerts.c.seq == alert_hits.c.alert_seq)
            .where(alert_hits.c.key == key)
        ).first()
        if found is None:
            return None
        return AlertHit(
            key, _alert(found), found.event_time, Entities.from_json(found.hit_entities)
        )

    def hit_count(self) -> int:
        """How many hits are counted, over every alert (what an offline scan would find)."""
        return int(self._db.execute(select(func.count()).select_from(alert_hits)).scalar_one())

"""SQL repository for alerts: each match counted once, duplicates counted on one alert.

A match (a hit) is keyed by its idempotency key (member, event number, rule). Only a hit
whose key is new touches its alert: it opens the alert or, when an alert with the same
dedup key exists, adds one to its count. Both happen in the caller's transaction, so a
redelivered event counts nothing and two replicas racing on one event count it once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, bindparam, cast, delete, func, select, update

from shieldwall.model.alert import (
    Alert,
    AlertCount,
    AlertHit,
    AlertTechniques,
    Entities,
    NewAlert,
)
from shieldwall.store.sql.alert_claim import (
    ClaimStatements,
    alert_rows,
    hit_rows,
    refused_as_statement_error,
)
from shieldwall.store.sql.direct import Direct
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


_TECHNIQUES = Direct(
    select(alerts.c.seq, alerts.c.event_time, alerts.c.created_at, alerts.c.techniques).where(
        alerts.c.seq.in_(bindparam("seqs", expanding=True))
    )
)
"""Run per fused hit with techniques: direct (:mod:`.direct`), as :data:`_HITS`."""

_HITS = Direct(
    select(alert_hits.c.key, alert_hits.c.alert_seq, alert_hits.c.event_time, alert_hits.c.entities)
    .where(alert_hits.c.key.in_(bindparam("keys", expanding=True)))
    .order_by(alert_hits.c.key)
)
_HIT_ALERTS = Direct(select(alerts).where(alerts.c.seq.in_(bindparam("seqs", expanding=True))))
"""The alerts of :data:`_HITS`, each read (its JSON parsed) once however many hits it has."""


class SqlAlerts:
    """Alerts in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, new: Sequence[NewAlert]) -> int:
        """Count the hits whose key is new; return how many were."""
        return len(self.claim(new))

    def claim(self, new: Sequence[NewAlert]) -> set[str]:
        """Count the hits whose key is new; return their keys.

        The unique keys decide, in the database, so two deliveries of one event (a crash
        before the acknowledgement, two replicas) count once. A batch costs one read, one
        upsert of every alert it counts on (one row per dedup key, with the number of its
        hits), and one insert of its hits (see :mod:`.alert_claim`).
        """
        sql = ClaimStatements.of(self._db.dialect)
        with refused_as_statement_error():
            return self._claim(sql, new)

    def _claim(self, sql: ClaimStatements, new: Sequence[NewAlert]) -> set[str]:
        keys = sorted({alert.key for alert in new})
        known = sql.known(self._db, keys) if keys else set()
        groups: dict[str, list[NewAlert]] = {}
        for alert in new:
            if alert.key not in known:
                known.add(alert.key)  # the same hit twice in one batch counts once
                groups.setdefault(alert.dedup_key or alert.key, []).append(alert)
        if not groups:
            return set()
        # in key order, so replicas racing on overlapping batches lock rows in one order
        order = sorted(groups)
        rows = alert_rows([groups[dedup] for dedup in order], self._now, sql.upsert.processors)
        seqs = {dedup: seq for seq, dedup in sql.upsert.run(self._db, rows)}
        hits = sorted((alert.key, seqs[dedup], alert) for dedup in order for alert in groups[dedup])
        processed = hit_rows(hits, sql.hits.processors)
        claimed = {row[0] for row in sql.hits.run(self._db, processed)}
        self._take_back([(key, seq) for key, seq, _alert in hits], claimed)
        return claimed

    def _take_back(self, hits: list[tuple[str, int]], claimed: set[str]) -> None:
        """Uncount the hits another replica counted meanwhile; drop alerts left empty."""
        lost: dict[int, int] = {}
        for key, seq in hits:
            if key not in claimed:
                lost[seq] = lost.get(seq, 0) + 1
        for seq, count in lost.items():
            self._db.execute(
                update(alerts)
                .where(alerts.c.seq == seq)
                .values(hit_count=alerts.c.hit_count - count)
            )
        if lost:
            self._db.execute(delete(alerts).where(alerts.c.seq.in_(lost), alerts.c.hit_count <= 0))

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
        rows = _TECHNIQUES.all(self._db, {"seqs": sorted(seqs)})
        return [
            AlertTechniques(row.seq, row.event_time or row.created_at, tuple(row.techniques))
            for row in rows
        ]

    def hit(self, key: str) -> AlertHit | None:
        """A counted hit and the alert it is counted on; None if never stored."""
        return self.hits([key]).get(key)

    def hits(self, keys: Collection[str]) -> dict[str, AlertHit]:
        """The counted hits of these keys, in two reads (a key never stored is left out);
        the hits of one alert share one :class:`Alert`, read once."""
        if not keys:
            return {}
        rows = _HITS.all(self._db, {"keys": sorted(keys)})
        if not rows:
            return {}
        seqs = sorted({row.alert_seq for row in rows})
        read = {row.seq: _alert(row) for row in _HIT_ALERTS.all(self._db, {"seqs": seqs})}
        return {
            row.key: AlertHit(
                row.key, read[row.alert_seq], row.event_time, Entities.from_json(row.entities)
            )
            for row in rows
        }

    def hit_count(self) -> int:
        """How many hits are counted, over every alert (what an offline scan would find)."""
        return int(self._db.execute(select(func.count()).select_from(alert_hits)).scalar_one())

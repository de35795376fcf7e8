"""SQL repository for alerts: idempotent inserts, pages by organisation and sequence."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.alert import Alert, NewAlert
from shieldwall.store.sql.tables import alerts


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
    )


class SqlAlerts:
    """Alerts in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, new: Sequence[NewAlert]) -> int:
        """Store the alerts whose key is new; return how many were stored.

        The unique key decides, in the database, so two deliveries of one event (a crash
        before the acknowledgement, two replicas) leave one alert.
        """
        if not new:
            return 0
        dialect = postgresql if self._db.dialect.name == "postgresql" else sqlite
        rows = [
            {
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
            }
            for alert in new
        ]
        statement = (
            dialect.insert(alerts)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(alerts.c.seq)
        )
        return len(self._db.execute(statement, rows).all())

    def page(self, org_ids: Collection[str] | None, *, after: int, limit: int) -> Sequence[Alert]:
        """Alerts after ``after`` in sequence order, of these organisations (None: all)."""
        query = select(alerts).where(alerts.c.seq > after).order_by(alerts.c.seq).limit(limit)
        if org_ids is not None:
            query = query.where(alerts.c.org_id.in_(sorted(org_ids)))
        return [_alert(row) for row in self._db.execute(query)]

    def get(self, seq: int) -> Alert | None:
        row = self._db.execute(select(alerts).where(alerts.c.seq == seq)).first()
        return _alert(row) if row else None

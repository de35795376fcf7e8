"""SQL repository for incidents: grouping state, people's changes, and their history.

Every write runs in the caller's transaction. ``claim`` inserts the hit's key first: on
PostgreSQL a second replica fusing the same hit waits on that key and then finds it
taken, so a hit is fused once. ``lock_member`` makes replicas fusing one member's hits
take turns, so neither decides on what the other has not committed yet.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.incident import (
    SEVERITIES,
    Incident,
    IncidentChange,
    IncidentQuery,
    IncidentStatus,
)
from shieldwall.store.sql.case_severity import raise_cases
from shieldwall.store.sql.link_times import thin_links
from shieldwall.store.sql.tables import (
    fuse_applied,
    incident_alerts,
    incident_history,
    incident_links,
    incidents,
    organisations,
)


def _incident(row: Any) -> Incident:
    return Incident(
        id=row.id,
        org_id=row.org_id,
        title=row.title,
        severity=row.severity,
        status=IncidentStatus(row.status),
        assignee=row.assignee,
        close_reason=row.close_reason,
        merged_into=row.merged_into,
        alert_count=row.alert_count,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _higher(first: str, second: str) -> str:
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    return first if rank.get(first, 0) >= rank.get(second, 0) else second


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    return min(d for d in (first, second) if d is not None) if first or second else None


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    return max(d for d in (first, second) if d is not None) if first or second else None


class SqlIncidents:
    """Incidents in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def lock_member(self, org_id: str) -> None:
        """The member's row, locked until commit on PostgreSQL: fusing replicas take turns
        per member, so two hits of one host never open two incidents side by side. (SQLite
        runs one writer at a time anyway.)"""
        if self._db.dialect.name == "postgresql":
            self._db.execute(
                select(organisations.c.id).where(organisations.c.id == org_id).with_for_update()
            )

    def claim(self, key: str) -> bool:
        statement = (
            self._dialect.insert(fuse_applied)
            .values(key=key, incident_id=0)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(fuse_applied.c.key)
        )
        return self._db.execute(statement).first() is not None

    def settle(self, key: str, incident_id: int) -> None:
        self._db.execute(
            update(fuse_applied).where(fuse_applied.c.key == key).values(incident_id=incident_id)
        )

    def linked(
        self, org_id: str, links: Collection[str], start: datetime, end: datetime
    ) -> set[int]:
        if not links:
            return set()
        query = (
            select(incident_links.c.incident_id)
            .join(incidents, incidents.c.id == incident_links.c.incident_id)
            .where(
                incident_links.c.org_id == org_id,
                incident_links.c.link.in_(sorted(links)),
                incident_links.c.at >= start,
                incident_links.c.at <= end,
                incidents.c.status != IncidentStatus.CLOSED.value,
            )
            .distinct()
        )
        return {int(row[0]) for row in self._db.execute(query)}

    def of_alert(self, alert_seq: int) -> Incident | None:
        row = self._db.execute(
            select(incidents)
            .join(incident_alerts, incident_alerts.c.incident_id == incidents.c.id)
            .where(incident_alerts.c.alert_seq == alert_seq)
        ).first()
        return _incident(row) if row else None

    def open(self, org_id: str, title: str, severity: str, opened_by: str) -> int:
        row = {
            "org_id": org_id,
            "title": title,
            "severity": severity,
            "status": IncidentStatus.NEW.value,
            "assignee": None,
            "close_reason": None,
            "merged_into": None,
            "alert_count": 0,
            "first_seen": None,
            "last_seen": None,
            "opened_by": opened_by,
            "created_at": self._now,
            "updated_at": self._now,
        }
        return int(
            self._db.execute(insert(incidents).values(row).returning(incidents.c.id)).one()[0]
        )

    def attach(
        self,
        incident_id: int,
        alert_seq: int,
        org_id: str,
        links: Collection[str],
        at: datetime,
        severity: str,
        window: timedelta | None = None,
    ) -> bool:
        """Count a hit on the incident; True when its alert joined it just now. With
        ``window`` (the one :meth:`linked` is asked with), the link times are thinned
        (:mod:`.link_times`): :meth:`linked` answers the same from a handful of rows."""
        joined = self._db.execute(
            self._dialect.insert(incident_alerts)
            .values(alert_seq=alert_seq, incident_id=incident_id)
            .on_conflict_do_nothing(index_elements=["alert_seq"])
            .returning(incident_alerts.c.alert_seq)
        ).first()
        kept, dropped = (
            (list(links), [])
            if window is None
            else thin_links(self._db, incident_id, org_id, links, at, window)
        )
        if kept:
            rows = [
                {"incident_id": incident_id, "org_id": org_id, "link": k, "at": at} for k in kept
            ]
            self._db.execute(insert(incident_links), rows)
        if dropped:
            self._db.execute(delete(incident_links).where(incident_links.c.id.in_(dropped)))
        current = self._row(incident_id)
        raised = _higher(current.severity, severity)
        self._db.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(
                alert_count=incidents.c.alert_count + 1,
                first_seen=_earlier(current.first_seen, at),
                last_seen=_later(current.last_seen, at),
                severity=raised,
                updated_at=self._now,
            )
        )
        raise_cases(self._db, incident_id, current.severity, raised, self._now)
        return joined is not None

    def merge(self, source: int, target: int) -> None:
        """Move the source's alerts and links to the target; close the source as merged."""
        moved, kept = self._row(source), self._row(target)
        raised = _higher(kept.severity, moved.severity)
        for table in (incident_alerts, incident_links):
            self._db.execute(
                update(table).where(table.c.incident_id == source).values(incident_id=target)
            )
        self._db.execute(
            update(incidents)
            .where(incidents.c.id == target)
            .values(
                alert_count=incidents.c.alert_count + moved.alert_count,
                first_seen=_earlier(kept.first_seen, moved.first_seen),
                last_seen=_later(kept.last_seen, moved.last_seen),
                severity=raised,
                updated_at=self._now,
            )
        )
        raise_cases(self._db, target, kept.severity, raised, self._now)
        self._db.execute(
            update(incidents)
            .where(incidents.c.id == source)
            .values(
                status=IncidentStatus.CLOSED.value,
                close_reason=f"merged into incident {target}",
                merged_into=target,
                alert_count=0,
                updated_at=self._now,
            )
        )

    def set_status(
        self, incident_id: int, status: IncidentStatus, close_reason: str | None
    ) -> None:
        self._set(incident_id, status=status.value, close_reason=close_reason)

    def set_assignee(self, incident_id: int, assignee: str | None) -> None:
        self._set(incident_id, assignee=assignee)

    def _set(self, incident_id: int, **values: object) -> None:
        self._db.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(**values, updated_at=self._now)
        )

    def record(self, incident_id: int, actor: str, action: str, detail: dict[str, object]) -> None:
        self._db.execute(
            insert(incident_history).values(
                incident_id=incident_id, at=self._now, actor=actor, action=action, detail=detail
            )
        )

    def get(self, incident_id: int) -> Incident | None:
        row = self._db.execute(select(incidents).where(incidents.c.id == incident_id)).first()
        return _incident(row) if row else None

    def page(self, query: IncidentQuery) -> Sequence[Incident]:
        statement = (
            select(incidents)
            .where(incidents.c.id > query.after)
            .order_by(incidents.c.id)
            .limit(query.limit)
        )
        if query.org_ids is not None:
            statement = statement.where(incidents.c.org_id.in_(sorted(query.org_ids)))
        if query.member is not None:
            statement = statement.where(incidents.c.org_id == query.member)
        if query.status is not None:
            statement = statement.where(incidents.c.status == query.status.value)
        if query.severity is not None:
            statement = statement.where(incidents.c.severity == query.severity)
        return [_incident(row) for row in self._db.execute(statement)]

    def latest(self, query: IncidentQuery, before: int) -> Sequence[Incident]:
        """Newest first, ids below ``before`` (0: from the newest), the query's filters."""
        statement = select(incidents).order_by(incidents.c.id.desc()).limit(query.limit)
        if before > 0:
            statement = statement.where(incidents.c.id < before)
        if query.org_ids is not None:
            statement = statement.where(incidents.c.org_id.in_(sorted(query.org_ids)))
        if query.member is not None:
            statement = statement.where(incidents.c.org_id == query.member)
        if query.status is not None:
            statement = statement.where(incidents.c.status == query.status.value)
        if query.severity is not None:
            statement = statement.where(incidents.c.severity == query.severity)
        return [_incident(row) for row in self._db.execute(statement)]

    def alert_seqs(self, incident_id: int) -> Sequence[int]:
        query = (
            select(incident_alerts.c.alert_seq)
            .where(incident_alerts.c.incident_id == incident_id)
            .order_by(incident_alerts.c.alert_seq)
        )
        return [int(row[0]) for row in self._db.execute(query)]

    def history(self, incident_id: int) -> Sequence[IncidentChange]:
        query = (
            select(incident_history)
            .where(incident_history.c.incident_id == incident_id)
            .order_by(incident_history.c.id)
        )
        return [
            IncidentChange(
                id=row.id,
                incident_id=row.incident_id,
                at=row.at,
                actor=row.actor,
                action=row.action,
                detail=dict(row.detail),
            )
            for row in self._db.execute(query)
        ]

    def _row(self, incident_id: int) -> Any:
        return self._db.execute(select(incidents).where(incidents.c.id == incident_id)).one()

"""SQL repository for incidents: grouping state, people's changes, and their history.

Every write runs in the caller's transaction. What the fuse stage writes (claims,
grouping, merges) is :class:`.incident_fusion.IncidentFusion`; this adds people's
changes, the history and the reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from shieldwall.model.incident import Incident, IncidentChange, IncidentQuery, IncidentStatus
from shieldwall.store.sql.incident_fusion import IncidentFusion, incident_of
from shieldwall.store.sql.incident_statements import ALERT_SEQS
from shieldwall.store.sql.link_times import LinkMemory
from shieldwall.store.sql.tables import incident_history, incidents


class SqlIncidents(IncidentFusion):
    """Incidents in one transaction."""

    def set_status(
        self, incident_id: int, status: IncidentStatus, close_reason: str | None
    ) -> None:
        self._set(incident_id, status=status.value, close_reason=close_reason)

    def set_assignee(self, incident_id: int, assignee: str | None) -> None:
        self._set(incident_id, assignee=assignee)

    def _set(self, incident_id: int, **values: object) -> None:
        self.flush()
        self._rows.pop(incident_id, None)
        self._links = LinkMemory()  # what is known of open incidents' link rows
        self._db.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(**values, updated_at=self._now)
        )

    def record(self, incident_id: int, actor: str, action: str, detail: dict[str, object]) -> None:
        row = {
            "incident_id": incident_id,
            "at": self._now,
            "actor": actor,
            "action": action,
            "detail": detail,
        }
        self._history.append(row)  # written by flush, the batch's history in one statement

    def get(self, incident_id: int) -> Incident | None:
        self.flush()
        row = self._db.execute(select(incidents).where(incidents.c.id == incident_id)).first()
        return incident_of(row) if row else None

    def page(self, query: IncidentQuery) -> Sequence[Incident]:
        self.flush()
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
        return [incident_of(row) for row in self._db.execute(statement)]

    def latest(self, query: IncidentQuery, before: int) -> Sequence[Incident]:
        """Newest first, ids below ``before`` (0: from the newest), the query's filters."""
        self.flush()
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
        return [incident_of(row) for row in self._db.execute(statement)]

    def alert_seqs(self, incident_id: int) -> Sequence[int]:
        known = self._seqs.get(incident_id)
        if known is None:
            read = ALERT_SEQS.all(self._db, {"id": incident_id})
            known = self._seqs[incident_id] = [int(row[0]) for row in read]
        return list(known)

    def history(self, incident_id: int) -> Sequence[IncidentChange]:
        self.flush()
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

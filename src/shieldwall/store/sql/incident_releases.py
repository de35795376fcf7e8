"""SQL repository for what members release of their incidents to their campaigns' members.

One row per incident: a release replaces the incident's last one, withdrawing deletes
it. Who may read a release is not decided here but by the sharing gate, on the marking
kept with it (:mod:`shieldwall.policy.campaigns`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from shieldwall.model.incident import IncidentRelease
from shieldwall.store.sql.engine import load_json
from shieldwall.store.sql.tables import incident_releases

_CHUNK = 500
"""Incident ids per query (a query's bound parameters are limited)."""


class SqlReleases:
    """Incident releases in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def put(self, release: IncidentRelease) -> IncidentRelease:
        """Keep ``release`` as the incident's release (replacing any), stamped now; it,
        as kept."""
        kept = replace(release, released_at=self._now)
        values = {field.name: getattr(kept, field.name) for field in fields(kept)}
        values["fields"] = list(kept.fields)
        self.withdraw(release.incident_id)
        self._db.execute(incident_releases.insert().values(**values))
        return kept

    def withdraw(self, incident_id: int) -> bool:
        """Delete the incident's release; whether there was one."""
        done = self._db.execute(
            delete(incident_releases).where(incident_releases.c.incident_id == incident_id)
        )
        return bool(done.rowcount)

    def of(self, incident_ids: Collection[int]) -> dict[int, IncidentRelease]:
        """The releases of these incidents (an incident without one is absent)."""
        ids = sorted(set(incident_ids))
        found: dict[int, IncidentRelease] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(incident_releases).where(incident_releases.c.incident_id.in_(chunk))
            for row in self._db.execute(query):
                found[row.incident_id] = _release_of(row)
        return found


def _release_of(row: Any) -> IncidentRelease:
    names = row.fields if isinstance(row.fields, list) else load_json(row.fields)
    return IncidentRelease(
        incident_id=row.incident_id,
        org_id=row.org_id,
        marking_ref=row.marking_ref,
        name_member=bool(row.name_member),
        fields=tuple(str(name) for name in names),
        note=row.note,
        released_by=row.released_by,
        released_at=row.released_at,
    )

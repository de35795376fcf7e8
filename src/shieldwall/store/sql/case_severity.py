"""A case follows its incident's severity upward, in the transaction that raises it.

A case copies its incident's severity when it is opened; the incident keeps growing as
alerts join it (or as another incident is merged into it), and a case left at "low" while
its incident became "critical" sorts and reads wrong on every desk. The rise is applied
here, beside the statement that raises the incident's severity, so no path (fusion, a
merge) can forget it; a case is never lowered (an analyst's raise stands), and its SLA
due time is not moved here (the SLA minutes are a setting of ``respond/cases``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, update

from shieldwall.model.incident import SEVERITIES
from shieldwall.store.sql.tables import cases

_RANK = {name: index for index, name in enumerate(SEVERITIES)}


def raise_cases(db: Connection, incident_id: int, was: str, severity: str, now: datetime) -> int:
    """When the incident rose from ``was`` to ``severity``, raise its cases below it (on the
    fusion's hot path nothing is written when the severity stayed); how many were raised."""
    if severity == was or severity not in _RANK:
        return 0
    lower = [name for name in SEVERITIES if _RANK[name] < _RANK[severity]]
    if not lower:
        return 0
    result = db.execute(
        update(cases)
        .where(cases.c.incident_id == incident_id, cases.c.severity.in_(lower))
        .values(severity=severity, updated_at=now)
    )
    return int(result.rowcount or 0)

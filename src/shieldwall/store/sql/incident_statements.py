"""The fuse stage's incident statements, built once with bound parameters.

The fuse worker runs these for every alert hit. Built per call, a third of the stage's
time went into building them (operators, coercions, cache keys), not into the database;
built here once, a call only binds its values. The dialect-specific upserts are built for
both dialects (``DIALECTS[connection.dialect.name]``). Those run per hit are
:class:`.direct.Direct`: SQLAlchemy's execution machinery cost several times what the
database took to run them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.incident import IncidentStatus
from shieldwall.store.sql.direct import Direct
from shieldwall.store.sql.tables import (
    fuse_applied,
    incident_alerts,
    incident_history,
    incident_links,
    incidents,
)


class DialectStatements:
    """The statements whose SQL differs between SQLite and PostgreSQL (upserts)."""

    def __init__(self, dialect: Any) -> None:
        self.claim = (
            dialect.insert(fuse_applied)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(fuse_applied.c.key)
        )
        """Parameters ``key``, ``incident_id``; a row back when the key was new."""
        self.join = Direct(
            dialect.insert(incident_alerts).on_conflict_do_nothing(index_elements=["alert_seq"]),
            ["alert_seq", "incident_id"],
        )
        """Parameters ``alert_seq``, ``incident_id``; one row changed when the alert joined."""


DIALECTS = {"sqlite": DialectStatements(sqlite), "postgresql": DialectStatements(postgresql)}

SETTLE = Direct(
    update(fuse_applied)
    .where(fuse_applied.c.key == bindparam("b_key"))
    .values(incident_id=bindparam("b_incident"))
)


def link_rows(*extra: Any) -> Select[Any]:
    """The link rows of a member's links within a time span (parameters ``org``,
    ``links``, ``start``, ``end``), with ``extra`` columns of their incidents."""
    return (
        select(
            incident_links.c.id,
            incident_links.c.incident_id,
            incident_links.c.link,
            incident_links.c.at,
            *extra,
        )
        .join(incidents, incidents.c.id == incident_links.c.incident_id)
        .where(
            incident_links.c.org_id == bindparam("org"),
            incident_links.c.link.in_(bindparam("links", expanding=True)),
            incident_links.c.at >= bindparam("start"),
            incident_links.c.at <= bindparam("end"),
        )
    )


NEAR = Direct(link_rows().where(incidents.c.status != IncidentStatus.CLOSED.value))
"""The link times of open incidents a hit's links meet within the window."""

OF_ALERT = Direct(
    select(incidents)
    .join(incident_alerts, incident_alerts.c.incident_id == incidents.c.id)
    .where(incident_alerts.c.alert_seq == bindparam("seq"))
)

ROW = Direct(select(incidents).where(incidents.c.id == bindparam("id")).with_for_update())
"""An incident the fuse stage writes, locked until commit on PostgreSQL."""

ALERT_SEQS = Direct(
    select(incident_alerts.c.alert_seq)
    .where(incident_alerts.c.incident_id == bindparam("id"))
    .order_by(incident_alerts.c.alert_seq)
)

ADD_LINK = Direct(
    insert(incident_links).returning(incident_links.c.id), ["incident_id", "org_id", "link", "at"]
)
"""A link time noted, its row's id back (later hits of the batch may move or drop it)."""

DROP_LINKS = Direct(
    delete(incident_links).where(incident_links.c.id.in_(bindparam("ids", expanding=True)))
)

RETIME_LINKS = Direct(
    update(incident_links)
    .where(incident_links.c.id == bindparam("b_id"))
    .values(at=bindparam("b_at"))
)

COUNT_HITS = Direct(
    update(incidents)
    .where(incidents.c.id == bindparam("b_id"))
    .values(
        alert_count=incidents.c.alert_count + bindparam("b_hits"),
        first_seen=bindparam("b_first"),
        last_seen=bindparam("b_last"),
        severity=bindparam("b_severity"),
        updated_at=bindparam("b_now"),
    )
)
"""Hits counted on an incident, with its new time span and severity."""

RECORD = Direct(insert(incident_history), ["incident_id", "at", "actor", "action", "detail"])

OPEN = Direct(
    insert(incidents).returning(incidents.c.id),
    [column.key for column in incidents.columns if column.key != "id"],
)

"""The fuse stage's writes to incidents, remembering what one transaction read and wrote.

Every write runs in the caller's transaction. ``claim`` inserts the hit's key first: on
PostgreSQL a second replica fusing the same hit waits on that key and then finds it
taken, so a hit is fused once. ``lock_member`` makes replicas fusing one member's hits
take turns, so neither decides on what the other has not committed yet.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, select, update

from shieldwall.model.incident import SEVERITIES, Incident, IncidentStatus
from shieldwall.store.sql.case_severity import raise_cases
from shieldwall.store.sql.incident_linking import LinkTimes
from shieldwall.store.sql.incident_statements import (
    COUNT_HITS,
    DIALECTS,
    OF_ALERT,
    OPEN,
    RECORD,
    ROW,
    SETTLE,
)
from shieldwall.store.sql.tables import incident_alerts, incident_links, incidents, organisations


def incident_of(row: Any) -> Incident:
    """An incident from its row."""
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


_RANK = {name: index for index, name in enumerate(SEVERITIES)}


def _higher(first: str, second: str) -> str:
    return first if _RANK.get(first, 0) >= _RANK.get(second, 0) else second


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return second if first is None else first
    return min(first, second)


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return second if first is None else first
    return max(first, second)


class IncidentFusion(LinkTimes):
    """The fuse stage's side of incidents in one transaction.

    It remembers, until the transaction ends, the incidents it read or wrote and which
    incident holds which alert: a busy incident's hits in one batch read it once. Only
    this repository writes those rows, and on PostgreSQL each one it remembers was read
    ``FOR UPDATE`` (or inserted by it) and stays locked until commit, so what it
    remembers stays true. The hits :meth:`attach` counts are written by :meth:`flush`,
    one update per incident per batch, as are the history rows :meth:`record` keeps and
    the link times moved or dropped; the store flushes before commit, and the reads and
    merges here flush first. Link times (``preload``, ``linked`` and their thinning) are
    :class:`.incident_linking.LinkTimes`.
    """

    def __init__(self, connection: Connection, now: datetime) -> None:
        super().__init__(connection)
        self._now = now
        self._sql = DIALECTS[connection.dialect.name]
        self._rows: dict[int, Incident] = {}
        self._alert_of: dict[int, int] = {}
        self._counted: dict[int, tuple[int, str]] = {}
        """Hits counted on each incident, not written yet, and its severity written."""
        self._history: list[dict[str, Any]] = []
        """History rows recorded, not written yet (:meth:`flush` writes them in order)."""
        self._seqs: dict[int, list[int]] = {}
        """The alerts each incident holds, in order, as read once and joined since."""

    def lock_member(self, org_id: str) -> None:
        """The member's row, locked until commit on PostgreSQL: fusing replicas take turns
        per member, so two hits of one host never open two incidents side by side. (SQLite
        runs one writer at a time anyway.)"""
        if self._db.dialect.name == "postgresql":
            self._db.execute(
                select(organisations.c.id).where(organisations.c.id == org_id).with_for_update()
            )

    def claim(self, key: str) -> bool:
        return bool(self.claim_many([key]))

    def claim_many(self, keys: Sequence[str]) -> set[str]:
        """The keys not claimed before, now claimed, in one statement (the database's
        unique key decides: a replica claiming the same key waits, then finds it taken)."""
        rows = [{"key": key, "incident_id": 0} for key in sorted(set(keys))]
        if not rows:
            return set()
        return {row.key for row in self._db.execute(self._sql.claim, rows)}

    def settle(self, key: str, incident_id: int) -> None:
        self.settle_many([(key, incident_id)])

    def settle_many(self, settled: Sequence[tuple[str, int]]) -> None:
        """Name the incident each claimed key went to."""
        if settled:
            rows = [{"b_key": key, "b_incident": incident} for key, incident in settled]
            SETTLE.many(self._db, rows)

    def of_alert(self, alert_seq: int) -> Incident | None:
        known = self._rows.get(self._alert_of.get(alert_seq, 0))
        if known is not None:
            return known
        row = OF_ALERT.first(self._db, {"seq": alert_seq})
        if row is None:
            return None
        self._alert_of[alert_seq] = row.id
        return incident_of(row)

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
        created = int(OPEN.all(self._db, row)[0][0])
        del row["opened_by"]
        self._remember(incident_of(SimpleNamespace(id=created, **row)))
        return created

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
        joined = False
        if self._alert_of.get(alert_seq) != incident_id:  # else: counted on it, no insert
            row = {"alert_seq": alert_seq, "incident_id": incident_id}
            joined = self._sql.join.run(self._db, row) == 1
            if joined:
                self._alert_of[alert_seq] = incident_id
                if (seqs := self._seqs.get(incident_id)) is not None:
                    insort(seqs, alert_seq)
        self._note_links(incident_id, org_id, links, at, window)
        current = self._row(incident_id)
        self._rows[incident_id] = Incident(  # not dataclasses.replace: twice as fast per hit
            id=current.id,
            org_id=current.org_id,
            title=current.title,
            severity=_higher(current.severity, severity),
            status=current.status,
            assignee=current.assignee,
            close_reason=current.close_reason,
            merged_into=current.merged_into,
            alert_count=current.alert_count + 1,
            first_seen=_earlier(current.first_seen, at),
            last_seen=_later(current.last_seen, at),
            created_at=current.created_at,
            updated_at=self._now,
        )
        counted, was = self._counted.get(incident_id, (0, current.severity))
        self._counted[incident_id] = (counted + 1, was)
        return joined

    def flush(self) -> None:
        """Write the hits :meth:`attach` counted since the last flush: one update per
        incident, its cases raised with it, and the link times moved or dropped (run
        before commit and before any read of incidents or a merge, so nothing reads
        counts not written yet), and the history recorded."""
        self.write_links()
        if self._history:
            history, self._history = self._history, []
            RECORD.many(self._db, history)
        if not self._counted:
            return
        counted, self._counted = self._counted, {}
        rows = []
        for incident_id, (hits, _) in sorted(counted.items()):
            now = self._rows[incident_id]
            rows.append(
                {
                    "b_id": incident_id,
                    "b_hits": hits,
                    "b_first": now.first_seen,
                    "b_last": now.last_seen,
                    "b_severity": now.severity,
                    "b_now": self._now,
                }
            )
        COUNT_HITS.many(self._db, rows)
        for incident_id, (_, was) in sorted(counted.items()):
            raise_cases(self._db, incident_id, was, self._rows[incident_id].severity, self._now)

    def merge(self, source: int, target: int) -> None:
        """Move the source's alerts and links to the target; close the source as merged."""
        self.flush()
        moved, kept = self._row(source), self._row(target)
        raised = _higher(kept.severity, moved.severity)
        for table in (incident_alerts, incident_links):
            self._db.execute(
                update(table).where(table.c.incident_id == source).values(incident_id=target)
            )
        self._links.move(source, target)
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
        reason = f"merged into incident {target}"
        self._db.execute(
            update(incidents)
            .where(incidents.c.id == source)
            .values(
                status=IncidentStatus.CLOSED.value,
                close_reason=reason,
                merged_into=target,
                alert_count=0,
                updated_at=self._now,
            )
        )
        self._rows[source] = replace(
            moved,
            status=IncidentStatus.CLOSED,
            close_reason=reason,
            merged_into=target,
            alert_count=0,
            updated_at=self._now,
        )
        self._rows[target] = replace(
            kept,
            alert_count=kept.alert_count + moved.alert_count,
            first_seen=_earlier(kept.first_seen, moved.first_seen),
            last_seen=_later(kept.last_seen, moved.last_seen),
            severity=raised,
            updated_at=self._now,
        )
        self._merged[source] = target
        self._seqs.pop(source, None)
        self._seqs.pop(target, None)
        for alert_seq, holder in self._alert_of.items():
            if holder == source:
                self._alert_of[alert_seq] = target

    def _row(self, incident_id: int) -> Incident:
        """The incident as this transaction left it (read once, locked until commit on
        PostgreSQL: what is remembered of it stays true)."""
        known = self._rows.get(incident_id)
        if known is None:
            known = self._remember(incident_of(ROW.all(self._db, {"id": incident_id})[0]))
        return known

    def _remember(self, incident: Incident) -> Incident:
        self._rows[incident.id] = incident
        return incident

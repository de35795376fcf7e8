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
from shieldwall.store.sql.incident_statements import (
    ADD_LINK,
    COUNT_HITS,
    DIALECTS,
    DROP_LINKS,
    NEAR,
    OF_ALERT,
    OPEN,
    RETIME_LINKS,
    ROW,
    SETTLE,
)
from shieldwall.store.sql.link_times import LinkMemory, LinkRow, Thinned, thin, thin_links
from shieldwall.store.sql.tables import incident_alerts, incident_links, incidents, organisations

_Asked = tuple[str, frozenset[str], datetime, datetime]
"""A member, links and a time span :meth:`IncidentFusion.linked` was asked."""


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


def _higher(first: str, second: str) -> str:
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    return first if rank.get(first, 0) >= rank.get(second, 0) else second


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    return min(d for d in (first, second) if d is not None) if first or second else None


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    return max(d for d in (first, second) if d is not None) if first or second else None


class IncidentFusion:
    """The fuse stage's side of incidents in one transaction.

    It remembers, until the transaction ends, the incidents it read or wrote and which
    incident holds which alert: a busy incident's hits in one batch read it once. Only
    this repository writes those rows, and on PostgreSQL each one it remembers was read
    ``FOR UPDATE`` (or inserted by it) and stays locked until commit, so what it
    remembers stays true. The hits :meth:`attach` counts are written by :meth:`flush`,
    one update per incident per batch; the store flushes before commit, and the reads
    and merges here flush first. The link times :meth:`linked` read answer
    :meth:`attach`'s thinning of the same hit (:mod:`.link_times`) without a second read.
    """

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._sql = DIALECTS[connection.dialect.name]
        self._rows: dict[int, Incident] = {}
        self._alert_of: dict[int, int] = {}
        self._merged: dict[int, int] = {}
        self._counted: dict[int, tuple[int, str]] = {}
        """Hits counted on each incident, not written yet, and its severity written."""
        self._seqs: dict[int, list[int]] = {}
        """The alerts each incident holds, in order, as read once and joined since."""
        self._links = LinkMemory()
        self._near: tuple[_Asked, Sequence[Any] | None] | None = None
        """What :meth:`linked` was last asked, and the rows it read (None: from
        :attr:`_links`)."""

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

    def preload(self, org_id: str, links: Collection[str], start: datetime, end: datetime) -> None:
        """Read the member's rows of these links over ``[start, end]`` once: :meth:`linked`
        asked within answers from them (:class:`.link_times.LinkMemory`)."""
        if links:
            self._write_links()
            self._links.load(self._db, org_id, links, start, end)

    def linked(
        self, org_id: str, links: Collection[str], start: datetime, end: datetime
    ) -> set[int]:
        if not links:
            return set()
        asked = (org_id, frozenset(links), start, end)
        if self._links.covers(org_id, links, start, end):
            self._near = (asked, None)
            closed = self._links.closed
            return {
                row.incident_id
                for row in self._links.near(org_id, links, start, end)
                if row.incident_id not in closed and row.incident_id not in self._merged
            }
        self._write_links()
        params = {"org": org_id, "links": sorted(links), "start": start, "end": end}
        near = NEAR.all(self._db, params)
        self._near = (asked, near)
        return {int(row.incident_id) for row in near}

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
        self._rows[incident_id] = replace(
            current,
            alert_count=current.alert_count + 1,
            first_seen=_earlier(current.first_seen, at),
            last_seen=_later(current.last_seen, at),
            severity=_higher(current.severity, severity),
            updated_at=self._now,
        )
        counted, was = self._counted.get(incident_id, (0, current.severity))
        self._counted[incident_id] = (counted + 1, was)
        return joined

    def flush(self) -> None:
        """Write the hits :meth:`attach` counted since the last flush: one update per
        incident, its cases raised with it, and the link times moved or dropped (run
        before commit and before any read of incidents or a merge, so nothing reads
        counts not written yet)."""
        self._write_links()
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

    def _note_links(
        self,
        incident_id: int,
        org_id: str,
        links: Collection[str],
        at: datetime,
        window: timedelta | None,
    ) -> None:
        """Note the hit's links at ``at``, thinned with ``window`` (:mod:`.link_times`):
        from the rows :meth:`linked` answered from for this hit when it did (its rows of
        the incidents merged into this one are this one's now), else from a read. New rows
        are inserted at once (their ids are needed), moved times and dropped rows written
        by :meth:`flush`."""
        asked, self._near = self._near, None
        held: dict[int, LinkRow] = {}
        if window is None or not links:
            thinned = Thinned(list(links), [], [])
        elif asked is not None and asked[0] == (org_id, frozenset(links), at - window, at + window):
            if asked[1] is None:  # answered from what is known
                rows = self._links.near(org_id, links, at - window, at + window)
                held = {row.id: row for row in rows if row.incident_id == incident_id}
                thinned = thin(held.values(), links, at, window)
            else:
                read = [row for row in asked[1] if self._holder(row.incident_id) == incident_id]
                thinned = thin(read, links, at, window)
        else:
            self._write_links()
            thinned = thin_links(self._db, incident_id, org_id, links, at, window)
        for link in thinned.added:
            row = {"incident_id": incident_id, "org_id": org_id, "link": link, "at": at}
            self._links.add(ADD_LINK.all(self._db, row)[0][0], incident_id, org_id, link, at)
        if any(row_id not in held for row_id in thinned.retimed + thinned.dropped):  # read
            self._links.forget(org_id, links)
            RETIME_LINKS.many(self._db, [{"b_id": i, "b_at": at} for i in thinned.retimed])
            if thinned.dropped:
                DROP_LINKS.run(self._db, {"ids": thinned.dropped})
            return
        for row_id in thinned.retimed:
            self._links.retime(org_id, held[row_id], at)
        for row_id in thinned.dropped:
            self._links.drop(org_id, held[row_id])

    def _write_links(self) -> None:
        """Write the link times moved and the rows dropped, each row once."""
        retimed, dropped = self._links.pending()
        if dropped:
            DROP_LINKS.run(self._db, {"ids": sorted(dropped)})
        if retimed:
            rows = [{"b_id": row_id, "b_at": at} for row_id, at in sorted(retimed.items())]
            RETIME_LINKS.many(self._db, rows)

    def _holder(self, incident_id: int) -> int:
        """The incident that holds another's rows now (itself, unless merged)."""
        while incident_id in self._merged:
            incident_id = self._merged[incident_id]
        return incident_id

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

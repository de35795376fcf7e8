"""Thinning an incident's link times: a handful per grouping window, not one per hit.

The fuse stage asks, for each hit, which open incidents hold one of its links (host,
user, observable) at a time within the grouping window (``SqlIncidents.linked``). Kept
one row per hit, a busy host's rows grew with every hit and each lookup read them all.
A time surrounded by two kept times of the same incident and link at most a window
apart answers nothing those two do not (a time within the window of it is within the
window of one of them), so it is not kept. Times thinned under one window answer a
smaller window (``fuse_window_seconds`` lowered) a little less precisely: the new
window holds fully for the times noted after the change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, select

from shieldwall.model.incident import IncidentStatus
from shieldwall.store.sql.direct import Direct
from shieldwall.store.sql.incident_statements import link_rows
from shieldwall.store.sql.tables import incident_links, incidents


class Thinned(NamedTuple):
    """What noting a hit's links at ``at`` writes."""

    added: list[str]
    """Links noted at ``at`` in a new row."""
    retimed: list[int]
    """Rows no longer needed at their time that note one of the links at ``at`` instead
    (one update, not a delete and an insert; which row holds a time does not matter)."""
    dropped: list[int]
    """Rows no longer needed."""


_NEAR = Direct(
    select(incident_links.c.id, incident_links.c.link, incident_links.c.at).where(
        incident_links.c.org_id == bindparam("org"),
        incident_links.c.link.in_(bindparam("links", expanding=True)),
        incident_links.c.at >= bindparam("start"),
        incident_links.c.at <= bindparam("end"),
        incident_links.c.incident_id == bindparam("incident"),
    )
)


def thin_links(
    db: Connection,
    incident_id: int,
    org_id: str,
    links: Collection[str],
    at: datetime,
    window: timedelta,
) -> Thinned:
    """The links to note at ``at`` and the rows no longer needed (see the module docstring).

    Only rows within ``window`` of ``at`` can surround it or be surrounded by it
    together with it, so one indexed range read decides."""
    if not links:
        return Thinned([], [], [])
    near = _NEAR.all(
        db,
        {
            "org": org_id,
            "links": sorted(links),
            "start": at - window,
            "end": at + window,
            "incident": incident_id,
        },
    )
    return thin(near, links, at, window)


def thin(near: Iterable[Any], links: Collection[str], at: datetime, window: timedelta) -> Thinned:
    """:func:`thin_links` on the incident's rows (``id``, ``link``, ``at``) already read:
    every row of the incident within ``window`` of ``at`` holding one of ``links``."""
    by_link: dict[str, list[tuple[datetime, int]]] = {}
    for row in near:
        by_link.setdefault(row.link, []).append((row.at, row.id))
    thinned = Thinned([], [], [])
    for link in sorted(links):
        times = by_link.get(link)
        if not times:  # the new time alone: noted
            thinned.added.append(link)
            continue
        times.append((at, 0))  # 0: the new time, not a row yet
        times.sort()
        chain: list[tuple[datetime, int]] = []
        for point in times:  # drop each time its neighbours surround within the window
            while len(chain) >= 2 and point[0] - chain[-2][0] <= window:
                chain.pop()
            chain.append(point)
        remaining = {row_id for _, row_id in chain}
        gone = [row_id for _, row_id in times if row_id and row_id not in remaining]
        if 0 in remaining and gone:  # a row no longer needed takes the new time
            thinned.retimed.append(gone.pop())
        elif 0 in remaining:
            thinned.added.append(link)
        thinned.dropped.extend(gone)
    return thinned


class LinkRow(NamedTuple):
    """A link row as :class:`LinkMemory` holds it."""

    id: int
    incident_id: int
    link: str
    at: datetime


_LOAD = Direct(link_rows(incidents.c.status))


class LinkMemory:
    """A transaction's link rows of some links over some time spans, read once.

    The fuse worker reads, for a batch, every row of its members' links over the span of
    the batch's windows (:meth:`load`); each hit's ``linked`` and thinning are then
    answered from here instead of a read per hit. It stays true because under the
    member's lock the transaction is the only writer of the member's link rows, and every
    write it makes is applied here: the rows it adds, the times it moves (written
    later, one statement per batch: :meth:`pending`), the rows it drops, the rows a merge
    hands over; a write it cannot follow (:meth:`forget`) ends what is known of a link.
    What is known of a link is a single span: within it every row is here.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], dict[int, LinkRow]] = {}
        self._spans: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        self.closed: set[int] = set()
        """Incidents read closed (the transaction closes others only by merging them)."""
        self._retimed: dict[int, datetime] = {}
        self._dropped: set[int] = set()

    def load(
        self, db: Connection, org_id: str, links: Collection[str], start: datetime, end: datetime
    ) -> None:
        """Read the rows of these links over ``[start, end]`` (with no write pending)."""
        assert not self._retimed and not self._dropped, "write what is pending first"
        for row in _LOAD.all(
            db, {"org": org_id, "links": sorted(links), "start": start, "end": end}
        ):
            self._rows.setdefault((org_id, row.link), {})[row.id] = LinkRow(
                row.id, row.incident_id, row.link, row.at
            )
            if row.status == IncidentStatus.CLOSED.value:
                self.closed.add(row.incident_id)
        for link in links:
            known = self._spans.get((org_id, link))
            if known is not None and known[0] <= end and start <= known[1]:  # one span
                start, end = min(known[0], start), max(known[1], end)
            self._spans[(org_id, link)] = (start, end)

    def covers(self, org_id: str, links: Collection[str], start: datetime, end: datetime) -> bool:
        """Whether every row of these links within ``[start, end]`` is here."""
        for link in links:
            span = self._spans.get((org_id, link))
            if span is None or start < span[0] or end > span[1]:
                return False
        return True

    def near(
        self, org_id: str, links: Collection[str], start: datetime, end: datetime
    ) -> list[LinkRow]:
        """The rows of these links within ``[start, end]`` (when :meth:`covers` them)."""
        found: list[LinkRow] = []
        for link in links:
            rows = self._rows.get((org_id, link))
            if rows:
                found.extend(row for row in rows.values() if start <= row.at <= end)
        return found

    def add(self, row_id: int, incident_id: int, org_id: str, link: str, at: datetime) -> None:
        self._rows.setdefault((org_id, link), {})[row_id] = LinkRow(row_id, incident_id, link, at)

    def retime(self, org_id: str, row: LinkRow, at: datetime) -> None:
        rows = self._rows[(org_id, row.link)]
        rows[row.id] = LinkRow(row.id, rows[row.id].incident_id, row.link, at)
        self._retimed[row.id] = at

    def drop(self, org_id: str, row: LinkRow) -> None:
        del self._rows[(org_id, row.link)][row.id]
        self._retimed.pop(row.id, None)
        self._dropped.add(row.id)

    def forget(self, org_id: str, links: Collection[str]) -> None:
        """Rows of these links were written without this knowing which: known no more."""
        for link in links:
            self._rows.pop((org_id, link), None)
            self._spans.pop((org_id, link), None)

    def move(self, source: int, target: int) -> None:
        """A merge handed the source's rows to the target."""
        for rows in self._rows.values():
            for row_id, row in rows.items():
                if row.incident_id == source:
                    rows[row_id] = LinkRow(row_id, target, row.link, row.at)

    def pending(self) -> tuple[dict[int, datetime], set[int]]:
        """The times moved and the rows dropped since the last call, to write now."""
        retimed, dropped = self._retimed, self._dropped
        self._retimed, self._dropped = {}, set()
        return retimed, dropped

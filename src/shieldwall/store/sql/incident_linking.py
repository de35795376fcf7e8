"""The fuse stage's link times: which open incidents a hit's links meet, and noting them.

:class:`LinkTimes` answers :meth:`~LinkTimes.linked` for each hit and notes the hit's
link times, thinned (:mod:`.link_times`). The fuse worker first reads its batch's rows
per member (:meth:`~LinkTimes.preload`, into a :class:`.link_times.LinkMemory`): each hit
is then answered from memory, its new rows inserted at once and the times it moves or
the rows it drops written once per batch (:meth:`~LinkTimes.write_links`, from the
incident repository's ``flush``). A hit asked outside what was read is answered by a
read of its own, as before. The rows ``linked`` answered from serve the same hit's
thinning, without a second read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from shieldwall.store.sql.incident_statements import ADD_LINK, DROP_LINKS, NEAR, RETIME_LINKS
from shieldwall.store.sql.link_times import LinkMemory, LinkRow, Thinned, thin, thin_links

_Asked = tuple[str, frozenset[str], datetime, datetime]
"""A member, links and a time span :meth:`LinkTimes.linked` was asked."""


class LinkTimes:
    """The link times of one transaction's incidents (a base of the incident repository)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._merged: dict[int, int] = {}
        """Incidents merged in this transaction, and the incident each went to."""
        self._links = LinkMemory()
        self._near: tuple[_Asked, Sequence[Any], bool] | None = None
        """What :meth:`linked` was last asked, the rows it answered from, and whether they
        came from :attr:`_links` (else from a read)."""

    def preload(self, org_id: str, links: Collection[str], start: datetime, end: datetime) -> None:
        """Read the member's rows of these links over ``[start, end]`` once: :meth:`linked`
        asked within answers from them (:class:`.link_times.LinkMemory`)."""
        if links:
            self.write_links()
            self._links.load(self._db, org_id, links, start, end)

    def linked(
        self, org_id: str, links: Collection[str], start: datetime, end: datetime
    ) -> set[int]:
        if not links:
            return set()
        asked = (org_id, frozenset(links), start, end)
        if self._links.covers(org_id, links, start, end):
            rows = self._links.near(org_id, links, start, end)
            self._near = (asked, rows, True)
            closed = self._links.closed
            return {
                row.incident_id
                for row in rows
                if row.incident_id not in closed and row.incident_id not in self._merged
            }
        self.write_links()
        params = {"org": org_id, "links": sorted(links), "start": start, "end": end}
        near = NEAR.all(self._db, params)
        self._near = (asked, near, False)
        return {int(row.incident_id) for row in near}

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
            read = [row for row in asked[1] if self._holder(row.incident_id) == incident_id]
            thinned = thin(read, links, at, window)
            if asked[2]:  # known rows: their changes are written by flush
                held = {row.id: row for row in read}
        else:
            self.write_links()
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

    def write_links(self) -> None:
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

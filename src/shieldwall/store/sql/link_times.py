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

from shieldwall.store.sql.tables import incident_links


class Thinned(NamedTuple):
    """What noting a hit's links at ``at`` writes."""

    added: list[str]
    """Links noted at ``at`` in a new row."""
    retimed: list[int]
    """Rows no longer needed at their time that note one of the links at ``at`` instead
    (one update, not a delete and an insert; which row holds a time does not matter)."""
    dropped: list[int]
    """Rows no longer needed."""


_NEAR = select(incident_links.c.id, incident_links.c.link, incident_links.c.at).where(
    incident_links.c.org_id == bindparam("org"),
    incident_links.c.link.in_(bindparam("links", expanding=True)),
    incident_links.c.at >= bindparam("start"),
    incident_links.c.at <= bindparam("end"),
    incident_links.c.incident_id == bindparam("incident"),
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
    near = db.execute(
        _NEAR,
        {
            "org": org_id,
            "links": sorted(links),
            "start": at - window,
            "end": at + window,
            "incident": incident_id,
        },
    ).all()
    return thin(near, links, at, window)


def thin(near: Iterable[Any], links: Collection[str], at: datetime, window: timedelta) -> Thinned:
    """:func:`thin_links` on the incident's rows (``id``, ``link``, ``at``) already read:
    every row of the incident within ``window`` of ``at`` holding one of ``links``."""
    by_link: dict[str, list[tuple[datetime, int]]] = {}
    for row in near:
        by_link.setdefault(row.link, []).append((row.at, row.id))
    thinned = Thinned([], [], [])
    for link in sorted(links):
        times = by_link.get(link, [])
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

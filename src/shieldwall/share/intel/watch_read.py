"""The watchlists' read: the indicators read once, the gate asked for every member.

:func:`watch_sets` gives each organisation what :func:`.export.select_for` would select for
it through :data:`.watch.WATCH_CHANNEL`, turned into watchlist entries. The newest
indicator versions are read once, :data:`ROWS` at a time and with no viewer prefilter
(the store's ``latest_page`` and ``latest_of``); each member's reader then confirms every
row (:meth:`.read.IntelReader.confirm`: the gate, the channel's maximum, unmarked objects
back to their producer only), so the gate stays the one judge and no rule is copied
here. Leaving out the SQL prefilter changes nothing: it is a superset of the gate's
answer (``store/sql/intel_filters.py``). ``select_for``'s check of every audience held
for an id passes for every confirmed row, which is the newest version and so carries
the audience the check reads.

Why one read: issue 10's watchlists hold 100,000 indicators for every member, and reading
them once per member (decoded, parsed, their patterns checked each time) cost 0.1-0.3 ms
of CPU per indicator and member, taken from the detect stage. Now a member costs the
gate's decision per indicator, and an indicator's body, validity and entries are worked
out once whichever members get it. Decay is each member's own (the sightings it may
count, :func:`.sightings.countable_sightings_of`: one store call per member and chunk);
for an indicator the member counts no sighting of, the instant is the same for every
member and worked out once.

Reads of TLP:AMBER+STRICT (and unmarked) indicators are audited per member, one entry per
:data:`AUDIT_PAGE` indicators served, as ``select_for``'s pages are, so each rebuild of a
watchlist leaves its trace in the audit log. The read is a read-only transaction; its
audit records are written in a short one right after, before the entries are returned.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from shieldwall.detect.stix_pattern import StreamPattern
from shieldwall.detect.watchlist import WatchEntry
from shieldwall.model.identity import Principal
from shieldwall.model.intel import StoredVersion
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.org_viewer import org_operator, org_viewer_of
from shieldwall.share.intel.read import (
    AuditSink,
    IntelReader,
    Served,
    audit_restricted,
    row_facts,
)
from shieldwall.share.intel.session import written_after
from shieldwall.share.intel.sightings import countable_sightings_of
from shieldwall.share.intel.watch import WATCH_CHANNEL, WatchSet, end_of, is_current, parts_of
from shieldwall.store.protocols import Store, UnitOfWork

ROWS = 5000
"""Indicator versions (or ids asked for) per query: bounded memory and bound parameters."""
AUDIT_PAGE = 1000
"""Indicators served per audit entry (``select_for``'s page)."""
OPERATOR = "watchlist"


def watch_entries(
    store: Store, org_id: str, now: datetime | None = None, ids: Collection[str] | None = None
) -> WatchSet:
    """Every entry of the indicators ``org_id`` may see and act on at ``now``.

    ``ids`` narrows the read to these indicators (the changed ones, see
    :func:`.watch.changed_indicators`); an id without entries is one to drop. NotFoundError
    when the organisation is unknown; a suspended one gets no entry.
    """
    return watch_sets(store, [org_id], now, ids or None)[org_id]


def watch_sets(
    store: Store,
    org_ids: Iterable[str],
    now: datetime | None = None,
    ids: Collection[str] | None = None,
) -> dict[str, WatchSet]:
    """:func:`watch_entries` of each organisation, from one read of the indicators.

    ``ids`` None reads every indicator; otherwise only these (none when empty).
    NotFoundError when an organisation is unknown.
    """
    moment = now or datetime.now(UTC)
    members = list(dict.fromkeys(org_ids))
    # a read-only transaction: on SQLite a write one would hold the database's only write
    # lock for the whole read, stalling every alert write of the detect stage
    with written_after(store, write=False) as (opened, audit), opened as tx:
        directory = StoreDirectory(tx)
        reads = {m: _MemberRead(tx, directory, m, audit) for m in members}
        for rows in _rows(tx, ids):
            facts = [row_facts(row) for row in rows]  # the same for every member
            parts = _Parts(moment)  # per chunk: the bodies of one chunk are alive anyway
            for read in reads.values():
                read.take(read.reader.confirm(rows, WATCH_CHANNEL, facts), parts)
        for read in reads.values():
            read.audit()
    return {m: read.result() for m, read in reads.items()}


@dataclass(frozen=True, slots=True)
class _Part:
    """What one indicator version gives a watchlist: nothing when it is revoked or past
    its ``valid_until``; otherwise its entries or stream pattern, and when it stops being
    current for a member that may count no sighting of it (None: decayed already)."""

    current: bool
    obj: Mapping[str, Any] | None = None
    unsighted_end: datetime | None = None
    entries: tuple[WatchEntry, ...] = ()
    pattern: StreamPattern | None = None


class _Parts:
    """Each indicator version read once, whichever members are served it (a body a
    member's reader stripped of references it may not see is another body)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        self._seen: dict[tuple[str, str], _Part] = {}

    def __call__(self, item: Served) -> _Part:
        key = (item.version, item.body)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._part(item)
        return found

    def _part(self, item: Served) -> _Part:
        obj = orjson.loads(item.body)
        if not is_current(obj, self.moment):
            return _Part(False)
        entries, pattern = parts_of(obj)
        end = end_of(obj, item.version, (), self.moment)
        return _Part(True, obj, end, entries, pattern)


class _MemberRead:
    """One organisation's reader, what it was served (for the audit) and its entries."""

    def __init__(
        self, tx: UnitOfWork, directory: StoreDirectory, org_id: str, sink: AuditSink | None
    ) -> None:
        self._tx = tx
        self.viewer = org_viewer_of(directory, org_id)
        self.principal: Principal = org_operator(directory.organisation(org_id), org_id, OPERATOR)
        self.reader = IntelReader(tx, self.viewer, self.principal, audit_pages=False, audit=sink)
        self.served: list[Served | None] = []
        self.entries: list[WatchEntry] = []
        self.patterns: list[StreamPattern] = []
        self.expiries: dict[str, datetime] = {}

    def take(self, served: list[Served], parts: _Parts) -> None:
        """Keep the current ones of the indicators served: not decayed by the sightings
        this organisation may count (one store call for the chunk)."""
        self.served.extend(item if item.restricted else None for item in served)
        alive = [(item, parts(item)) for item in served]
        alive = [(item, part) for item, part in alive if part.current]
        sighted = countable_sightings_of(self._tx, self.viewer, [i.stix_id for i, _ in alive])
        for item, part in alive:
            seen = sighted.get(item.stix_id)
            end = (
                part.unsighted_end
                if not seen or part.obj is None
                else end_of(part.obj, item.version, seen, parts.moment)
            )
            if end is None:
                continue  # decayed
            self.expiries[item.stix_id] = end
            if part.pattern is not None:
                self.patterns.append(part.pattern)
            self.entries.extend(part.entries)

    def audit(self) -> None:
        """One audit entry per :data:`AUDIT_PAGE` indicators served, as pages have."""
        for start in range(0, len(self.served), AUDIT_PAGE):
            page = [item for item in self.served[start : start + AUDIT_PAGE] if item is not None]
            audit_restricted(self.reader.audit, self.principal, page)

    def result(self) -> WatchSet:
        return WatchSet(
            self.entries, min(self.expiries.values(), default=None), self.patterns, self.expiries
        )


def _rows(tx: UnitOfWork, ids: Collection[str] | None) -> Iterator[Sequence[StoredVersion]]:
    """The newest indicator versions (of ``ids`` when given), :data:`ROWS` at a time."""
    if ids is not None:
        ordered = sorted(ids)
        for start in range(0, len(ordered), ROWS):
            yield tx.intel.latest_of("indicator", ordered[start : start + ROWS])
        return
    after = 0
    while True:
        rows = tx.intel.latest_page("indicator", after, ROWS)
        if rows:
            yield rows
        if len(rows) < ROWS:
            return
        after = rows[-1].seq

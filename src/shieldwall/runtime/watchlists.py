"""Each member's watchlist, built from the intelligence store and kept fresh.

The glue between ``share`` (which indicators each member may see: :func:`share.watch_sets`,
through the gate, one read for every member) and ``live`` (the detect worker, which only
asks "the matcher of this member?"). Neither application imports the other; this module
imports both.

Freshness: :meth:`Watchlists.refresh` is called about every second (:meth:`Watchlists.run`
in the detect stage's thread).

- When the store's indicator change number moved (a version published, revoked, narrowed
  or deleted: every such write takes a number), only the indicators changed since are
  read again, once for every member, through the gate; the matchers of the members
  they touch are *revised* (:meth:`Matcher.revised`: tables
  copied, the changed entries taken out and put in), not built again. So a published
  indicator matches and a revoked one stops within about 2 s, and a bulk publication
  costs in proportion to what it brings, however many indicators are held already
  (issue 10: 100,000; building two members' matchers of them took about 1 s of CPU at
  each poll, reading them through the gate about 18 s).
- A full build (everything read again) the first time, when the directory the gate reads
  for an organisation changed (an organisation joined, was suspended, came back, moved
  parent, country, kind or sector; a community's rules, members or exclusions: both
  tables are read at every poll and compared, so such a change is watched within about
  2 s), after a change of more than :data:`MAX_DELTA` indicators, and every
  ``full_every`` seconds as a safety net (nothing known needs it).
- An indicator that stops being current with time — its ``valid_until`` passes, or its
  score decays below the threshold (:mod:`shieldwall.share.intel.scoring`) — is read
  again at that instant, alone, like a changed one: it leaves the matchers within a
  poll. (Each member may count other sightings, so its instant is each member's own; the
  earliest is kept.)

Until a build or an update is done the previous matchers serve, and the new ones replace
them in one assignment, so the detect worker never sees half a watchlist.

Indicators whose patterns are more than the watchlist's comparisons (see
``share/intel/watch.py``) are kept beside the matchers, compiled for the stream, and
given by :meth:`Watchlists.patterns` (the detect worker's windows match them), through
the same gate, rebuilt and updated at the same moments.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from shieldwall import share
from shieldwall.detect.stix_pattern import PatternSet, StreamPattern
from shieldwall.detect.watchlist import Matcher, WatchEntry
from shieldwall.model.identity import Organisation
from shieldwall.model.sharing import Community
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
FULL_EVERY_SECONDS = 3600.0
NO_PATTERNS = PatternSet(())
MAX_DELTA = 50_000
"""More changed indicators than this (most of them, re-published): a full build instead."""


class Watchlists:
    """Member id -> its matcher; call the object itself as the detect worker's lookup."""

    def __init__(
        self,
        store: Store,
        *,
        full_every: float = FULL_EVERY_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._full_every = full_every
        self._clock = clock
        self._matchers: dict[str, Matcher] = {}
        self._members: list[str] = []
        self._directory = _Directory((), ())
        self._entries: dict[str, dict[str, list[WatchEntry]]] = {}
        self._patterns: dict[str, dict[str, StreamPattern]] = {}
        self._pattern_lists: dict[str, PatternSet] = {}
        self._seen: int | None = None
        self._due: list[tuple[datetime, str]] = []
        """(instant, indicator id): when a held indicator stops being current, a heap."""
        self._built_at = 0.0
        self.builds = 0
        self.updates = 0

    def __call__(self, member: str) -> Matcher | None:
        """The member's matcher as last built (None before the first build)."""
        return self._matchers.get(member)

    def patterns(self, member: str) -> PatternSet:
        """The member's stream patterns as last built (none before the first build)."""
        return self._pattern_lists.get(member, NO_PATTERNS)

    def refresh(self) -> bool:
        """Bring the watchlists up to date; False when nothing had changed.

        A full build the first time or every ``full_every`` seconds; otherwise only the
        indicators changed since the last look, or whose time ran out, are read again.
        """
        now = self._clock()
        directory = self._read_directory()
        if (
            self._seen is None
            or directory != self._directory  # a member joined, left, was suspended, moved…
            or time.monotonic() - self._built_at >= self._full_every
        ):
            self._build(share.last_change(self._store), now, directory)
            return True
        changed, seen = share.changed_indicators(self._store, self._seen)
        changed |= self._expired(now)
        if not changed and seen == self._seen:
            return False
        if len(changed) > MAX_DELTA:
            self._build(seen, now, directory)
        else:
            self._update(changed, seen, now)
        return True

    def _read_directory(self) -> _Directory:
        with self._store.reading() as tx:
            return _Directory(tuple(tx.organisations.list()), tuple(tx.communities.list()))

    def _build(self, seen: int, now: datetime, directory: _Directory) -> None:
        self._members = [org.id for org in directory.organisations if org.active]
        entries: dict[str, dict[str, list[WatchEntry]]] = {}
        patterns: dict[str, dict[str, StreamPattern]] = {}
        due: list[tuple[datetime, str]] = []
        found_sets = share.watch_sets(self._store, self._members, now)
        for member in self._members:
            found = found_sets[member]
            entries[member] = _by_indicator(found.entries)
            patterns[member] = {p.indicator_id: p for p in found.patterns}
            due.extend((end, ident) for ident, end in found.expiries.items())
        heapq.heapify(due)
        self._entries, self._patterns = entries, patterns
        self._pattern_lists = {m: PatternSet(held.values()) for m, held in patterns.items() if held}
        self._matchers = {m: Matcher(_flat(held)) for m, held in entries.items() if held}
        self._seen, self._due = seen, due
        self._directory = directory
        self._built_at = time.monotonic()
        self.builds += 1
        log.info("watchlists built: %d members, %d entries", len(self._matchers), self.size)

    def _update(self, changed: set[str], seen: int, now: datetime) -> None:
        """Read the changed indicators for every member; revise the matchers they touch
        (:meth:`Matcher.revised`: the other entries are not built again)."""
        matchers = dict(self._matchers)
        entries: dict[str, dict[str, list[WatchEntry]]] = {}
        due: list[tuple[datetime, str]] = []
        found_sets = share.watch_sets(self._store, self._members, now, ids=changed)
        for member in self._members:
            found = found_sets[member]
            self._update_patterns(member, changed, found.patterns)
            due.extend((end, ident) for ident, end in found.expiries.items())
            held = self._entries.get(member, {})
            fresh = _by_indicator(found.entries)
            if not fresh and not changed & held.keys():
                continue
            # a copy, kept only once every member is done: the held entries always agree
            # with the served matchers, and after a failure the next poll starts over
            held = entries[member] = dict(held)
            removed = [entry for ident in changed for entry in held.pop(ident, ())]
            held.update(fresh)
            before = matchers.pop(member, None)
            if held:
                matchers[member] = (
                    Matcher(_flat(held))
                    if before is None
                    else before.revised(removed, _flat(fresh))
                )
        self._entries.update(entries)
        self._matchers = matchers
        self._seen = seen
        for item in due:
            heapq.heappush(self._due, item)
        self.updates += 1

    def _expired(self, now: datetime) -> set[str]:
        """The held indicators whose time ran out (``valid_until`` passed or decayed),
        taken off the heap: read again, they leave the matchers. An indicator changed
        since is on the heap again under its new instant; an old instant only costs a
        read of one indicator."""
        expired: set[str] = set()
        while self._due and self._due[0][0] <= now:
            expired.add(heapq.heappop(self._due)[1])
        return expired

    @property
    def next_expiry(self) -> datetime | None:
        """When the first held indicator stops being current (None: none does)."""
        return self._due[0][0] if self._due else None

    def _update_patterns(self, member: str, changed: set[str], fresh: list[StreamPattern]) -> None:
        held = self._patterns.setdefault(member, {})
        if not fresh and not changed & held.keys():
            return
        for ident in changed:
            held.pop(ident, None)
        held.update((p.indicator_id, p) for p in fresh)
        lists = dict(self._pattern_lists)
        lists.pop(member, None)
        if held:
            lists[member] = PatternSet(held.values())
        self._pattern_lists = lists

    @property
    def size(self) -> int:
        """Entries over every member's matcher (stream patterns not counted)."""
        return sum(len(matcher) for matcher in self._matchers.values())

    def refresh_or_log(self) -> None:
        """:meth:`refresh`, logging a failure (a database blip) instead of raising it:
        the previous matchers keep serving and the next poll tries again."""
        try:
            self.refresh()
        except Exception:
            log.exception("watchlists not rebuilt; retrying at the next poll")

    async def run(self, stop: asyncio.Event, poll: float = POLL_SECONDS) -> None:
        """Refresh every ``poll`` seconds until ``stop``."""
        while not stop.is_set():
            await asyncio.to_thread(self.refresh_or_log)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)


@dataclass(frozen=True, slots=True)
class _Directory:
    """What the gate reads for an organisation's viewer: every organisation (status,
    parent, country, kind, sector) and every community (rules, members, exclusions).
    Read at every poll (two small tables); any difference makes a full build."""

    organisations: tuple[Organisation, ...]
    communities: tuple[Community, ...]


def _by_indicator(entries: list[WatchEntry]) -> dict[str, list[WatchEntry]]:
    found: dict[str, list[WatchEntry]] = {}
    for entry in entries:
        found.setdefault(entry.indicator_id, []).append(entry)
    return found


def _flat(held: dict[str, list[WatchEntry]]) -> list[WatchEntry]:
    return [entry for entries in held.values() for entry in entries]

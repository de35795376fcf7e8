"""Each member's watchlist, built from the intelligence store and kept fresh.

The glue between ``share`` (which indicators a member may see: :func:`share.watch_entries`,
through the gate) and ``live`` (the detect worker, which only asks "the matcher of this
member?"). Neither application imports the other; this module imports both.

Freshness: :meth:`Watchlists.refresh` is called about every second (:meth:`Watchlists.run`
in the detect stage's thread). It rebuilds every member's matcher when

- the store's intelligence sequence moved (a version published, revoked, narrowed or
  deleted: every such write takes a number), so a published indicator matches and a
  revoked one stops within about 2 s;
- the first ``valid_until`` among the current indicators has passed (expiry);
- ``full_every`` seconds have passed since the last build: the gate also reads the
  directory (communities, suspensions), whose changes take no intelligence number.

A build reads everything again; until it is done the previous matchers serve, and the new
ones replace them in one assignment, so the detect worker never sees half a watchlist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from shieldwall import share
from shieldwall.detect.watchlist import Matcher
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
FULL_EVERY_SECONDS = 60.0


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
        self._seen: int | None = None
        self._expires: datetime | None = None
        self._built_at = 0.0
        self.builds = 0

    def __call__(self, member: str) -> Matcher | None:
        """The member's matcher as last built (None before the first build)."""
        return self._matchers.get(member)

    def refresh(self) -> bool:
        """Rebuild when the store changed, an indicator expired, or a full period passed."""
        seen = share.last_change(self._store)
        now = self._clock()
        due = (
            seen != self._seen
            or (self._expires is not None and now >= self._expires)
            or time.monotonic() - self._built_at >= self._full_every
        )
        if due:
            self._build(seen, now)
        return due

    def _build(self, seen: int, now: datetime) -> None:
        with self._store.reading() as tx:
            members = [org.id for org in tx.organisations.list() if org.active]
        matchers: dict[str, Matcher] = {}
        expiries: list[datetime] = []
        for member in members:
            found = share.watch_entries(self._store, member, now)
            if found.entries:
                matchers[member] = Matcher(found.entries)
            if found.next_expiry is not None:
                expiries.append(found.next_expiry)
        self._matchers = matchers
        self._seen, self._expires = seen, min(expiries, default=None)
        self._built_at = time.monotonic()
        self.builds += 1
        log.info("watchlists rebuilt: %d members, %d entries", len(matchers), self.size)

    @property
    def size(self) -> int:
        """Entries over every member's matcher."""
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

"""Scheduling pulls: which feeds are due, run them one by one, one bad feed never stops the rest.

A worker process calls :meth:`FeedRunner.run_forever` (or :meth:`FeedRunner.run_due` from
its own loop); the CLI calls :meth:`FeedRunner.run_feed` for ``shieldwall intel pull``.
Due-ness is computed from the persisted ``last_run_at``, so restarts and several workers
sharing one store agree on it (a second worker merely repeats an idempotent run).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shieldwall.config.taxii import TaxiiFeed
from shieldwall.model.errors import ConfigError, NotFoundError
from shieldwall.share.taxii_client.guard import Resolver
from shieldwall.share.taxii_client.pull import FeedPuller, PullReport
from shieldwall.share.taxii_client.sink import ObjectSink
from shieldwall.share.taxii_client.state import FeedStates
from shieldwall.share.taxii_client.transport import TaxiiHttp
from shieldwall.store.protocols import FeedState

log = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 60.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FeedRunner:
    """Runs the configured feeds against one sink and one state store."""

    def __init__(
        self,
        feeds: Sequence[TaxiiFeed],
        sink: ObjectSink,
        states: FeedStates,
        *,
        env: Mapping[str, str],
        clock: Callable[[], datetime] = _utc_now,
        resolve: Resolver | None = None,
    ) -> None:
        self._feeds = {feed.name: feed for feed in feeds}
        self._sink = sink
        self._states = states
        self._env = env
        self._clock = clock
        self._resolve = resolve

    def feed(self, name: str) -> TaxiiFeed:
        """The configured feed of that name."""
        if name not in self._feeds:
            known = ", ".join(sorted(self._feeds)) or "none configured"
            raise NotFoundError(f"feed {name!r} is not configured (known: {known})")
        return self._feeds[name]

    def run_feed(self, name: str) -> PullReport:
        """Pull one feed now, whatever its schedule."""
        feed = self.feed(name)
        try:
            http = TaxiiHttp(feed, env=self._env, max_bytes=feed.max_bytes, resolve=self._resolve)
        except ConfigError as exc:
            return self._failed_to_start(feed, exc)
        try:
            return FeedPuller(feed, http, self._sink, self._states, clock=self._clock).run()
        finally:
            http.close()

    def _failed_to_start(self, feed: TaxiiFeed, exc: ConfigError) -> PullReport:
        state = self._states.load(feed.name)
        failed = replace(state, last_run_at=self._clock(), last_error=str(exc), runs=state.runs + 1)
        self._states.save(failed, detail=str(exc), ok=False)
        log.warning("feed %s: not started: %s", feed.name, exc)
        return PullReport(feed.name, resumed_from=state.added_after, error=str(exc))

    def next_due(self, feed: TaxiiFeed, state: FeedState) -> datetime:
        """When the feed should next run (now, if it never ran)."""
        if state.last_run_at is None:
            return datetime.min.replace(tzinfo=UTC)
        return state.last_run_at + timedelta(seconds=feed.interval_seconds)

    def run_due(self) -> list[PullReport]:
        """Run every feed whose interval has passed; return their reports."""
        now = self._clock()
        due = [
            name
            for name, feed in sorted(self._feeds.items())
            if self.next_due(feed, self._states.load(name)) <= now
        ]
        return [self.run_feed(name) for name in due]

    def seconds_until_next(self) -> float:
        """How long a worker may sleep before some feed is due."""
        if not self._feeds:
            return MAX_IDLE_SECONDS
        now = self._clock()
        soonest = min(
            self.next_due(feed, self._states.load(name)) for name, feed in self._feeds.items()
        )
        return max(0.0, min(MAX_IDLE_SECONDS, (soonest - now).total_seconds()))

    def run_forever(self, stop: threading.Event) -> None:
        """Run due feeds until ``stop`` is set (the worker's main loop)."""
        while not stop.is_set():
            for report in self.run_due():
                log.info("feed %s: %s", report.feed, report.error or report.stopped)
            stop.wait(self.seconds_until_next())

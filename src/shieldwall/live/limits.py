"""How much telemetry the centre takes, per member and in all: a rate and a bound in flight.

Each member has a token bucket of records: it fills at ``rate`` records a second up to
``burst``, and a batch takes as many tokens as it holds records. A batch larger than the
bucket is taken when the bucket is full (the bucket then goes into debt), so no batch the
size limits allow is refused for ever. One member over its rate is answered 429 with the
seconds to wait; the others keep their own buckets.

Back-pressure, two ways. The records this process is publishing and has not yet seen
durable are counted; past ``max_in_flight`` a new batch is refused with 429 instead of
queueing in memory behind a slow bus. And the detect consumer's backlog (what it has not
acknowledged, asked of the bus at most once every ``BACKLOG_EVERY`` seconds) past
``max_backlog`` refuses new batches with 429 too: a stopped or slow detect stage pushes
back on the sensors instead of letting the stream grow without end. The bus counts
messages and events travel in packs (:mod:`.event_packs`), so the backlog in events is
the messages behind times the events per message this process has published (at least
one). Both bounds are shared by the HTTP intake and the syslog listener, from any thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from shieldwall.model.errors import RateLimitedError

Clock = Callable[[], float]
BACKLOG_EVERY = 1.0
"""Seconds between two questions to the bus about the detect consumer's backlog."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


@dataclass(slots=True)
class IngestLimits:
    """Per-member rate (token bucket) and the bound on records in flight to the bus.

    ``rate`` 0 turns the per-member rate off; ``max_in_flight`` 0 turns the bound off.
    """

    rate: float = 0.0
    burst: int = 0
    max_in_flight: int = 0
    max_backlog: int = 0
    clock: Clock = time.monotonic
    _backlog: int | None = None
    _backlog_at: float | None = None
    _packed: tuple[int, int] = (0, 0)
    """Events and messages this process has published (their ratio sizes the backlog)."""
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def in_flight(self) -> int:
        """Records handed to the bus and not yet durable."""
        return self._in_flight

    def take(self, member: str, records: int) -> None:
        """Charge ``records`` to ``member``'s bucket, or refuse with the seconds to wait."""
        if self.rate <= 0 or records <= 0:
            return
        capacity = float(max(self.burst, 1))
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault(member, _Bucket(capacity, now))
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            needed = min(float(records), capacity)
            if bucket.tokens < needed:
                wait = max(1, math.ceil((needed - bucket.tokens) / self.rate))
                raise RateLimitedError(
                    f"member {member} is over its rate of {self.rate:g} records a second"
                    f" (burst {self.burst}); retry in {wait} s",
                    retry_after=wait,
                    limit="ingest_rate_per_member",
                )
            bucket.tokens -= records

    def backlog_due(self) -> bool:
        """Whether to ask the bus for the backlog again (never when the bound is off)."""
        if self.max_backlog <= 0:
            return False
        return self._backlog_at is None or self.clock() - self._backlog_at >= BACKLOG_EVERY

    def note_backlog(self, backlog: int | None) -> None:
        """Remember the backlog the bus gave, in messages (None: no detect consumer,
        nothing to wait for), as events."""
        with self._lock:
            events, messages = self._packed
            if backlog is not None and messages:
                backlog = backlog * max(events, messages) // messages
            self._backlog, self._backlog_at = backlog, self.clock()

    def note_packed(self, events: int, messages: int) -> None:
        """Count a published batch: ``events`` in ``messages``."""
        with self._lock:
            total, sent = self._packed
            self._packed = (total + events, sent + messages)

    def check_backlog(self) -> None:
        """Refuse with 429 while the detect consumer is more than ``max_backlog`` behind."""
        backlog = self._backlog
        if self.max_backlog > 0 and backlog is not None and backlog > self.max_backlog:
            raise RateLimitedError(
                f"detection is {backlog} events behind (limit {self.max_backlog});"
                f" retry in {math.ceil(BACKLOG_EVERY)} s",
                retry_after=math.ceil(BACKLOG_EVERY),
                limit="ingest_max_backlog",
            )

    @contextmanager
    def publishing(self, records: int) -> Iterator[None]:
        """Hold ``records`` in flight while the block publishes them; refuse past the bound.

        A batch is always let through when nothing else is in flight, so a batch larger
        than the bound is slow, not refused for ever.
        """
        with self._lock:
            busy = self._in_flight
            if self.max_in_flight > 0 and busy and busy + records > self.max_in_flight:
                raise RateLimitedError(
                    f"the bus is not keeping up ({busy} records in flight, limit"
                    f" {self.max_in_flight}); retry in 1 s",
                    retry_after=1,
                    limit="ingest_max_in_flight",
                )
            self._in_flight += records
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= records

"""The fuse stage of the live pipeline: stored alert hits off the bus, into incidents.

A worker fetches a batch from the durable ``fuse`` consumer of ``alerts.raised`` (each
message names one alert hit the detect stage stored), fuses every hit in one write
transaction and only then acknowledges. Each hit is first *claimed* by its key in the
database: a batch redelivered after a crash finds its hits claimed and changes nothing,
and two replicas handed the same message fuse it once. Which incident a hit joins is the
stage's pure logic (:func:`shieldwall.fuse.fuse_hit`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from shieldwall.bus.protocol import Bus, Consumer, Delivery
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.live.wire import ALERTS_SUBJECT, decode_hit
from shieldwall.model.errors import InputError, StoreError
from shieldwall.store.protocols import Store, UnitOfWork

log = logging.getLogger(__name__)

CONSUMER = "fuse"


@dataclass(slots=True)
class FuseCounts:
    """What a fuse worker has done since it started."""

    hits: int = 0
    repeated: int = 0
    unreadable: int = 0


class FuseWorker:
    """Groups the members' alerts into incidents, durably."""

    def __init__(
        self,
        bus: Bus,
        store: Store,
        rules: GroupingRules,
        *,
        batch: int = 200,
        subject: str = ALERTS_SUBJECT,
    ) -> None:
        self._bus = bus
        self._store = store
        self._rules = rules
        self._batch = batch
        self._subject = subject
        self.counts = FuseCounts()

    async def consumer(self) -> Consumer:
        """The durable consumer all fuse replicas share."""
        return await self._bus.consumer(self._subject, CONSUMER)

    async def step(self, consumer: Consumer, *, timeout: float = 1.0) -> int:
        """Fuse one fetched batch; how many messages it held (0 when none came)."""
        deliveries = await consumer.fetch(self._batch, timeout=timeout)
        if not deliveries:
            return 0
        try:
            await asyncio.to_thread(self.fuse, deliveries)
        except StoreError as exc:  # a deadlock between replicas, a database restart
            log.warning("batch of %d handed back: %s", len(deliveries), exc)
            await consumer.nak(*deliveries)
            return len(deliveries)
        await consumer.ack(*deliveries)
        return len(deliveries)

    async def run(self, stop: asyncio.Event) -> None:
        """Fuse batches until ``stop`` is set; unacknowledged work is redelivered."""
        consumer = await self.consumer()
        try:
            while not stop.is_set():
                await self.step(consumer, timeout=0.5)
        finally:
            await consumer.close()

    def fuse(self, deliveries: Sequence[Delivery]) -> None:
        """Fuse the hits the deliveries name, in one transaction, member by member.

        Each member's fusion lock is taken once, in member order, so replicas take turns
        per member and never wait on each other in a circle.
        """
        named: list[tuple[str, str]] = []
        for delivery in deliveries:
            try:
                key, member = decode_hit(delivery.payload)
            except InputError as exc:
                self.counts.unreadable += 1
                log.warning("message %d of %s skipped: %s", delivery.sequence, self._subject, exc)
                continue
            named.append((member, key))
        with self._store.transaction() as tx:
            for member in sorted({member for member, _ in named}):
                tx.incidents.lock_member(member)
            for _, key in sorted(named):
                self._fuse_one(tx, key)

    def _fuse_one(self, tx: UnitOfWork, key: str) -> None:
        if not tx.incidents.claim(key):
            self.counts.repeated += 1
            return
        hit = tx.alerts.hit(key)
        if hit is None:  # published only once stored: a message from elsewhere
            self.counts.unreadable += 1
            log.warning("alert hit %s of %s is not stored; skipped", key, self._subject)
            return
        tx.incidents.settle(key, fuse_hit(tx.incidents, hit, self._rules, tx.campaigns))
        self.counts.hits += 1

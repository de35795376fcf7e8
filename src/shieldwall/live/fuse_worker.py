"""The fuse stage of the live pipeline: stored alert hits off the bus, into incidents.

A worker fetches a batch from the durable ``fuse`` consumer of ``alerts.raised`` (each
message names alert hits the detect stage stored, a batch's together), fuses every hit in one write
transaction and only then acknowledges. Each hit is first *claimed* by its key in the
database (the batch's keys in one statement, its hits read in one more, and the link times
its members' incidents hold over the batch's windows in one per member): a batch
redelivered after a crash finds its hits claimed and changes nothing, and two replicas
handed the same message fuse it once. Which incident a hit joins is the
stage's pure logic (:func:`shieldwall.fuse.fuse_hit`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from shieldwall.bus.protocol import Bus, Consumer, Delivery
from shieldwall.fuse import CampaignRules, GroupingRules, fuse_hit, link_spans
from shieldwall.live.chain_notes import ChainNotes, Noted
from shieldwall.live.event_packs import fetch_size
from shieldwall.live.posture import PostureDesk
from shieldwall.live.wire import ALERTS_SUBJECT, MAX_HITS_PER_MESSAGE, decode_hits
from shieldwall.model.alert import AlertHit
from shieldwall.model.errors import ConflictError, InputError, StoreError
from shieldwall.store.protocols import Store, UnitOfWork

log = logging.getLogger(__name__)

CONSUMER = "fuse"


@dataclass(slots=True)
class FuseCounts:
    """What a fuse worker has done since it started."""

    hits: int = 0
    repeated: int = 0
    unreadable: int = 0
    posture_changes: int = 0


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
        campaigns: CampaignRules | None = None,
        posture: PostureDesk | None = None,
        posture_every: float = 60.0,
    ) -> None:
        self._bus = bus
        self._store = store
        self._rules = rules
        self._batch = batch
        self._subject = subject
        self._campaigns = campaigns
        self._chains = ChainNotes(campaigns) if campaigns is not None else None
        self._posture = posture
        self._posture_every = posture_every
        self._posture_at = 0.0
        self._posture_due = posture is not None
        self.counts = FuseCounts()
        self._seen = (0, 0)
        """Hits and messages the last batch held: the hits per message a fetch expects."""

    async def consumer(self) -> Consumer:
        """The durable consumer all fuse replicas share."""
        return await self._bus.consumer(self._subject, CONSUMER)

    async def step(self, consumer: Consumer, *, timeout: float = 1.0) -> int:
        """Fuse one fetched batch; how many messages it held (0 when none came)."""
        wanted = fetch_size(self._batch, self._seen, MAX_HITS_PER_MESSAGE)
        deliveries = await consumer.fetch(wanted, timeout=timeout)
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
                fused = self.counts.hits
                await self.step(consumer, timeout=0.5)
                self._posture_due |= self.counts.hits != fused
                await self.refresh_posture()
        finally:
            await consumer.close()

    async def refresh_posture(self) -> None:
        """Recompute posture after incidents changed (at most once a second) and every
        ``posture_every`` seconds anyway: levels decay with time, and people close
        incidents through the API."""
        if self._posture is None:
            return
        since = time.monotonic() - self._posture_at
        if since < 1.0 or not (self._posture_due or since >= self._posture_every):
            return
        self._posture_at = time.monotonic()
        self._posture_due = False
        try:
            changes = await asyncio.to_thread(self._posture.recompute)
        except (StoreError, ConflictError) as exc:  # a replica beside it; the next turn retries
            log.warning("posture not recomputed: %s", exc)
            self._posture_due = True
            return
        self.counts.posture_changes += len(changes)

    def fuse(self, deliveries: Sequence[Delivery]) -> None:
        """Fuse the hits the deliveries name, in one transaction, member by member.

        Each member's fusion lock is taken once, in member order, so replicas take turns
        per member and never wait on each other in a circle.
        """
        named: list[tuple[str, str]] = []
        for delivery in deliveries:
            try:
                named.extend((member, key) for key, member in decode_hits(delivery.payload))
            except InputError as exc:
                self.counts.unreadable += 1
                log.warning("message %d of %s skipped: %s", delivery.sequence, self._subject, exc)
        self._seen = (len(named), len(deliveries))
        noted: set[Noted] = set()
        with self._store.transaction() as tx:
            for member in sorted({member for member, _ in named}):
                tx.incidents.lock_member(member)
            claimed = tx.incidents.claim_many([key for _, key in named])
            hits = tx.alerts.hits(claimed)
            spans = link_spans(hits.values(), self._rules)
            for member, (links, start, end) in sorted(spans.items()):
                tx.incidents.preload(member, links, start, end)
            settled: list[tuple[str, int]] = []
            for _, key in sorted(named):
                if key not in claimed:
                    self.counts.repeated += 1
                    continue
                claimed.discard(key)  # the same key twice in a batch: fused once
                if (target := self._fuse_one(tx, hits.get(key), key, noted)) is not None:
                    settled.append((key, target))
            tx.incidents.settle_many(settled)
        if self._chains is not None:
            self._chains.remember(noted)

    def _fuse_one(
        self, tx: UnitOfWork, hit: AlertHit | None, key: str, noted: set[Noted]
    ) -> int | None:
        if hit is None:  # published only once stored: a message from elsewhere
            self.counts.unreadable += 1
            log.warning("alert hit %s of %s is not stored; skipped", key, self._subject)
            return None
        target = fuse_hit(tx.incidents, hit, self._rules, tx.campaigns, self._campaigns)
        if self._chains is not None and (done := self._chains.note(tx, hit, target, noted)):
            noted.add(done)
        self.counts.hits += 1
        return target

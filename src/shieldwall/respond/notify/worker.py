"""The delivery worker: works the outbox until stopped, retrying with exponential backoff.

Each round claims the due deliveries in one transaction (a compare-and-set per row, so
two workers never take the same attempt) and pushes each one's next attempt to the end of
a lease: a worker that dies mid-send leaves the delivery due again when the lease ends,
so nothing queued is lost. The outcome is written after the attempt: delivered, pending
again after ``backoff * 2**(attempt-1)`` (capped), or dead after the last attempt (a dead
letter, visible and re-drivable). A crash between a receiver's 2xx and that write means
one more send: deliveries are at least once, and every copy carries the same delivery key
(header ``X-Shieldwall-Delivery``, the e-mail's Message-ID) so receivers drop the repeat.

Before each attempt the gate is asked again: a member suspended, a person deactivated or
a community left since the notification was queued takes effect before anything leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from shieldwall.model.audit import AuditRecord
from shieldwall.model.notification import ChannelType, Delivery, DeliveryStatus, Secret
from shieldwall.policy import StoreDirectory
from shieldwall.respond.notify.routing import route
from shieldwall.respond.notify.senders import DeliveryFailedError, Job, Sender
from shieldwall.store.protocols import Store, UnitOfWork

log = logging.getLogger(__name__)

WITHDRAWN = "withdrawn-by-gate"
"""Why a queued delivery was refused at send time: the gate no longer allows it."""
INACTIVE = "channel-inactive"
"""Why a queued delivery was refused at send time: its channel was turned off."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DeliveryWorker:
    """Delivers the outbox through the senders, one round at a time."""

    def __init__(
        self,
        store: Store,
        senders: Mapping[ChannelType, Sender],
        *,
        max_attempts: int = 6,
        backoff_seconds: float = 2.0,
        backoff_max_seconds: float = 600.0,
        lease_seconds: float = 60.0,
        batch: int = 50,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._senders = senders
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._backoff_max = backoff_max_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._batch = batch
        self._clock = clock

    async def run(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Work rounds until ``stop`` is set; wait ``poll_seconds`` after an empty one."""
        while not stop.is_set():
            if await self.run_once() == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_seconds)

    async def run_once(self) -> int:
        """One round: claim what is due, attempt each, record the outcomes; how many."""
        jobs = await asyncio.to_thread(self._claim)
        if jobs:
            await asyncio.gather(*(self._attempt(job) for job in jobs))
        return len(jobs)

    async def close(self) -> None:
        """Release every sender."""
        for sender in self._senders.values():
            await sender.close()

    def backoff(self, attempt: int) -> timedelta:
        """The wait after failed attempt number ``attempt`` (from 1)."""
        seconds = min(self._backoff * 2 ** (attempt - 1), self._backoff_max)
        return timedelta(seconds=seconds)

    def _claim(self) -> list[Job]:
        now = self._clock()
        jobs: list[Job] = []
        with self._store.transaction() as tx:
            for due in tx.notifications.due(now, self._batch):
                if tx.notifications.claim(due.id, due.attempts, now + self._lease):
                    job = _job(tx, due)
                    if job is not None:
                        jobs.append(job)
        return jobs

    async def _attempt(self, job: Job) -> None:
        sender = self._senders.get(job.channel.type)
        try:
            if sender is None:
                raise DeliveryFailedError(f"no {job.channel.type} sender is configured")
            await sender.send(job)
        except DeliveryFailedError as failed:
            log.warning(
                "notification delivery %s attempt %d failed: %s",
                job.delivery.id,
                job.attempt,
                failed.reason,
            )
            await asyncio.to_thread(self._failed, job, failed.reason)
            return
        await asyncio.to_thread(self._delivered, job)

    def _delivered(self, job: Job) -> None:
        with self._store.transaction() as tx:
            tx.notifications.finish(job.delivery.id, DeliveryStatus.DELIVERED, self._clock(), "")

    def _failed(self, job: Job, reason: str) -> None:
        now = self._clock()
        dead = job.attempt >= self._max_attempts
        status = DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING
        later = now if dead else now + self.backoff(job.attempt)
        with self._store.transaction() as tx:
            tx.notifications.finish(job.delivery.id, status, later, reason)
            if dead:
                tx.audit.append(
                    AuditRecord(
                        "notify-worker",
                        job.channel.org_id,
                        "notify.dead-letter",
                        "delivery",
                        str(job.delivery.id),
                        detail=reason,
                    )
                )


def _job(tx: UnitOfWork, due: Delivery) -> Job | None:
    """The claimed delivery with what sending needs, or None when the gate now refuses it."""
    channel = tx.notifications.channel(due.channel_id)
    note = tx.notifications.get(due.notification_id)
    if channel is None or note is None:
        return None
    routes = route(StoreDirectory(tx), note, [channel]) if channel.active else []
    if not routes or routes[0].status is not DeliveryStatus.PENDING:
        reason = INACTIVE if not channel.active else routes[0].reason if routes else WITHDRAWN
        tx.notifications.finish(due.id, DeliveryStatus.REFUSED, due.next_attempt_at, reason)
        return None
    secret = tx.notifications.channel_secret(channel.id)
    return Job(due, channel, Secret(secret) if secret else None, note)

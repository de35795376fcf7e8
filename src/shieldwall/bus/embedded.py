"""The embedded bus: the Bus protocol over :class:`~shieldwall.bus.sqlite_log.SqliteLog`.

Every SQLite call runs on one dedicated worker thread, so an fsync (``synchronous=FULL``)
never stalls the event loop that also serves HTTP; the single thread also serialises the
calls on the one connection. A waiting :meth:`EmbeddedConsumer.fetch` wakes at once on a
publish from this process and polls every ``poll_interval`` seconds for publishes from
other processes sharing the file and for redeliveries falling due.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from shieldwall.bus.names import (
    check_batch,
    check_consumer,
    check_consumer_settings,
    check_subject,
)
from shieldwall.bus.protocol import DEFAULT_ACK_WAIT, DEFAULT_MAX_DELIVER, Delivery
from shieldwall.bus.sqlite_log import SqliteLog
from shieldwall.model.errors import BusError

T = TypeVar("T")
Clock = Callable[[], float]
DEFAULT_POLL_INTERVAL = 0.25


async def _run(executor: ThreadPoolExecutor | None, function: Callable[..., T], *args: object) -> T:
    """Call ``function`` on the bus thread, or inline when there is none."""
    if executor is None:
        return function(*args)
    return await asyncio.get_running_loop().run_in_executor(executor, partial(function, *args))


class EmbeddedBus:
    """Durable subjects and consumers in a SQLite file, for the one-process deployment."""

    def __init__(
        self,
        log: SqliteLog,
        executor: ThreadPoolExecutor | None,
        *,
        clock: Clock,
        poll_interval: float,
    ) -> None:
        self._log = log
        self._executor = executor
        self._clock = clock
        self.poll_interval = poll_interval
        self._published: dict[str, asyncio.Event] = {}
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        threaded: bool = True,
        clock: Clock = time.time,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        queue: AbstractContextManager[object] | None = None,
    ) -> EmbeddedBus:
        """Open the bus in the SQLite file at ``path``.

        ``threaded=False`` runs SQLite on the event loop's thread (for measuring the
        difference); ``clock`` gives wall-clock seconds and is replaceable in tests;
        ``queue`` is held around each write transaction (:meth:`SqliteLog.open`).
        """
        executor = ThreadPoolExecutor(1, "shieldwall-bus") if threaded else None
        try:
            log = await _run(executor, SqliteLog.open, path, queue)
        except BusError:
            if executor is not None:
                executor.shutdown()
            raise
        return cls(log, executor, clock=clock, poll_interval=poll_interval)

    async def _call(self, function: Callable[..., T], *args: object) -> T:
        if self._closed:
            raise BusError(f"embedded bus at {self._log.path} is closed")
        return await _run(self._executor, function, *args)

    def _publish_signal(self, subject: str) -> asyncio.Event:
        """The event the next publish on ``subject`` in this process will set."""
        return self._published.setdefault(subject, asyncio.Event())

    def _announce(self, subject: str) -> None:
        signal = self._published.pop(subject, None)
        if signal is not None:
            signal.set()

    async def publish(self, subject: str, payload: bytes, *, key: str) -> int:
        """Store one message; see :meth:`shieldwall.bus.protocol.Bus.publish`."""
        return (await self.publish_many(subject, [(key, payload)]))[0]

    async def publish_many(self, subject: str, messages: Sequence[tuple[str, bytes]]) -> list[int]:
        """Store the messages in one transaction; return their sequence numbers."""
        check_batch(subject, messages)
        if not messages:
            return []
        sequences = await self._call(self._log.publish, subject, messages, self._clock())
        self._announce(subject)
        return sequences

    async def consumer(
        self,
        subject: str,
        name: str,
        *,
        ack_wait: float = DEFAULT_ACK_WAIT,
        max_deliver: int = DEFAULT_MAX_DELIVER,
    ) -> EmbeddedConsumer:
        """Open the durable consumer; it takes over its unacknowledged deliveries."""
        check_subject(subject)
        check_consumer(name)
        check_consumer_settings(ack_wait, max_deliver)
        await self._call(
            self._log.open_consumer, subject, name, ack_wait, max_deliver, self._clock()
        )
        return EmbeddedConsumer(self, subject, name)

    async def last_sequence(self, subject: str) -> int:
        """Sequence number of the latest message on ``subject``; 0 if none."""
        return await self._call(self._log.last_sequence, check_subject(subject))

    async def backlog(self, subject: str, consumer: str) -> int | None:
        """What ``consumer`` has not acknowledged; see :meth:`Bus.backlog`."""
        return await self._call(self._log.backlog, check_subject(subject), consumer)

    async def drop(self, subject: str) -> None:
        """Delete the subject's messages and consumers."""
        await self._call(self._log.drop, check_subject(subject))

    async def close(self) -> None:
        """Close the file; later calls raise :class:`BusError`."""
        if self._closed:
            return
        await self._call(self._log.close)
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


class EmbeddedConsumer:
    """A durable pull consumer of the embedded bus."""

    def __init__(self, bus: EmbeddedBus, subject: str, name: str) -> None:
        self._bus = bus
        self._subject = subject
        self._name = name

    @property
    def subject(self) -> str:
        """The subject this consumer reads."""
        return self._subject

    @property
    def name(self) -> str:
        """The durable name of this consumer."""
        return self._name

    async def fetch(self, batch: int = 100, *, timeout: float = 1.0) -> list[Delivery]:
        """Return up to ``batch`` deliveries, waiting up to ``timeout`` s for the first."""
        if batch < 1:
            raise BusError(f"fetch batch must be at least 1, got {batch}")
        bus = self._bus
        deadline = time.monotonic() + timeout
        while True:
            published = bus._publish_signal(self._subject)
            deliveries = await bus._call(
                bus._log.fetch, self._subject, self._name, batch, bus._clock()
            )
            remaining = deadline - time.monotonic()
            if deliveries or remaining <= 0:
                return deliveries
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(published.wait(), min(remaining, bus.poll_interval))

    async def ack(self, *deliveries: Delivery) -> None:
        """Mark deliveries done; they never come back to this consumer."""
        sequences = self._own_sequences(deliveries)
        if sequences:
            await self._bus._call(self._bus._log.ack, self._subject, self._name, sequences)

    async def nak(self, *deliveries: Delivery) -> None:
        """Hand deliveries back for redelivery now."""
        sequences = self._own_sequences(deliveries)
        if sequences:
            await self._bus._call(
                self._bus._log.nak, self._subject, self._name, sequences, self._bus._clock()
            )

    def _own_sequences(self, deliveries: Sequence[Delivery]) -> list[int]:
        for delivery in deliveries:
            if (delivery.subject, delivery.consumer) != (self._subject, self._name):
                raise BusError(
                    f"delivery {delivery.sequence} of consumer {delivery.consumer} on "
                    f"{delivery.subject} cannot be settled by consumer {self._name} on "
                    f"{self._subject}"
                )
        return [delivery.sequence for delivery in deliveries]

    async def close(self) -> None:
        """Nothing to release: unacknowledged deliveries come back after ``ack_wait``."""

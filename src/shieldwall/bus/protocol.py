"""The Bus protocol the stages speak to; NATS and SQLite stay behind it.

Each subject is its own stream: it has one sequence (1, 2, 3, ... with no holes) and one
idempotency scope for publish keys. Consumers are durable and pull: a consumer named
``detect`` on ``events.normalised`` keeps its place across restarts, sees every message at
least once, and must acknowledge each one; an unacknowledged message comes back after
``ack_wait`` seconds (and, on the embedded bus, when the consumer is reopened), up to
``max_deliver`` times. Deliveries may arrive again and out of order after a redelivery, so
a stage records what it has done by sequence number (see :mod:`shieldwall.bus.sequence`)
and keys its side effects, as the design asks: the broker is never the system of record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, Self

DEFAULT_ACK_WAIT = 30.0
DEFAULT_MAX_DELIVER = 5


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as a consumer receives it.

    ``attempt`` is 1 on the first delivery and grows with each redelivery. ``handle`` is the
    implementation's own token for acknowledging it; callers pass the delivery back whole.
    """

    subject: str
    consumer: str
    sequence: int
    key: str
    payload: bytes
    attempt: int
    handle: object = field(default=None, repr=False, compare=False)


class Consumer(Protocol):
    """A durable pull consumer on one subject."""

    @property
    def subject(self) -> str:
        """The subject (stream) this consumer reads."""
        ...

    @property
    def name(self) -> str:
        """The durable name that keeps this consumer's place."""
        ...

    async def fetch(self, batch: int = 100, *, timeout: float = 1.0) -> list[Delivery]:
        """Return up to ``batch`` deliveries in sequence order; wait up to ``timeout`` seconds
        for the first one, and return an empty list if none came."""
        ...

    async def ack(self, *deliveries: Delivery) -> None:
        """Mark deliveries done: they are never delivered to this consumer again."""
        ...

    async def nak(self, *deliveries: Delivery) -> None:
        """Hand deliveries back for redelivery now instead of after ``ack_wait``."""
        ...

    async def close(self) -> None:
        """Stop fetching; unacknowledged deliveries will be redelivered."""
        ...


class Bus(Protocol):
    """Durable subjects with idempotent publish and durable consumers."""

    async def publish(self, subject: str, payload: bytes, *, key: str) -> int:
        """Store one message and return its sequence number.

        Publishing a ``key`` already stored on ``subject`` stores nothing and returns the
        sequence number of the message first stored with it. When this returns, the
        message survives a crash of the publishing process.
        """
        ...

    async def publish_many(self, subject: str, messages: Sequence[tuple[str, bytes]]) -> list[int]:
        """Publish ``(key, payload)`` pairs in order; return their sequence numbers.

        The same as calling :meth:`publish` for each, but cheaper (one commit on SQLite,
        requests in flight together on NATS).
        """
        ...

    async def consumer(
        self,
        subject: str,
        name: str,
        *,
        ack_wait: float = DEFAULT_ACK_WAIT,
        max_deliver: int = DEFAULT_MAX_DELIVER,
    ) -> Consumer:
        """Open (creating if new) the durable consumer ``name`` on ``subject``.

        A new consumer starts at the first message of the subject. Opening an existing one
        with other settings changes its settings.
        """
        ...

    async def last_sequence(self, subject: str) -> int:
        """Sequence number of the latest message on ``subject``; 0 if there is none."""
        ...

    async def backlog(self, subject: str, consumer: str) -> int | None:
        """Messages of ``subject`` the durable ``consumer`` has not acknowledged yet (not
        delivered, or delivered and waiting); None when there is no such consumer.

        Publishers use it to push back on their senders when a stage falls behind.
        """
        ...

    async def drop(self, subject: str) -> None:
        """Delete ``subject`` with its messages and consumers (tests, administration)."""
        ...

    async def close(self) -> None:
        """Release the connection; opened consumers stop working."""
        ...

    async def __aenter__(self) -> Self:
        """Use the bus as ``async with``: closed on exit."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the bus."""
        ...

"""The NATS bus's consumer: a bound JetStream pull subscription behind the Consumer protocol.

Acks wait for the server's confirmation (``ack_sync``), so once :meth:`NatsConsumer.ack`
returns the message will not come back, even if the process dies the next instant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shieldwall.bus.protocol import Delivery
from shieldwall.model.errors import BusError

MSG_ID_HEADER = "Nats-Msg-Id"
REQUEST_TIMEOUT = 5.0


@contextmanager
def failing_as_bus_error(operation: str, servers: str) -> Iterator[None]:
    """Turn the client's errors into :class:`BusError` naming the operation and servers."""
    try:
        yield
    except nats.errors.Error as error:
        raise BusError(
            f"NATS at {servers}: {operation} failed: {type(error).__name__}: {error}"
        ) from error


async def _ack_once(message: Msg) -> None:
    """Acknowledge and wait for the server; a second ack of one delivery does nothing."""
    with suppress(nats.errors.MsgAlreadyAckdError):
        await message.ack_sync(REQUEST_TIMEOUT)


class NatsConsumer:
    """A bound JetStream pull subscription."""

    def __init__(
        self,
        subscription: JetStreamContext.PullSubscription,
        subject: str,
        name: str,
        servers: str,
    ) -> None:
        self._subscription = subscription
        self._subject = subject
        self._name = name
        self._servers = servers

    @property
    def subject(self) -> str:
        """The subject this consumer reads."""
        return self._subject

    @property
    def name(self) -> str:
        """The durable name of this consumer."""
        return self._name

    def _errors(self, operation: str) -> AbstractContextManager[None]:
        return failing_as_bus_error(f"{operation} for consumer {self._name}", self._servers)

    async def fetch(self, batch: int = 100, *, timeout: float = 1.0) -> list[Delivery]:
        """Return up to ``batch`` deliveries, waiting up to ``timeout`` s for the first."""
        if batch < 1:
            raise BusError(f"fetch batch must be at least 1, got {batch}")
        with self._errors("fetch"):
            try:
                messages = await self._subscription.fetch(batch, timeout=max(timeout, 0.01))
            except TimeoutError:  # nats' own, and asyncio's that a loaded loop lets through
                return []
        deliveries = [self._delivery(message) for message in messages]
        return sorted(deliveries, key=lambda delivery: delivery.sequence)

    def _delivery(self, message: Msg) -> Delivery:
        metadata = message.metadata
        return Delivery(
            subject=self._subject,
            consumer=self._name,
            sequence=int(metadata.sequence.stream),
            key=(message.headers or {}).get(MSG_ID_HEADER, ""),
            payload=message.data,
            attempt=int(metadata.num_delivered),
            handle=message,
        )

    async def ack(self, *deliveries: Delivery) -> None:
        """Acknowledge and wait until the server has recorded every acknowledgement."""
        messages = self._messages(deliveries)
        with self._errors("ack"):
            await asyncio.gather(*(_ack_once(message) for message in messages))

    async def nak(self, *deliveries: Delivery) -> None:
        """Hand deliveries back for redelivery now."""
        messages = self._messages(deliveries)
        with self._errors("nak"):
            for message in messages:
                with suppress(nats.errors.MsgAlreadyAckdError):
                    await message.nak()

    def _messages(self, deliveries: Sequence[Delivery]) -> list[Msg]:
        """The NATS messages behind deliveries of this consumer."""
        messages: list[Msg] = []
        for delivery in deliveries:
            message = delivery.handle
            if delivery.consumer != self._name or not isinstance(message, Msg):
                raise BusError(
                    f"delivery {delivery.sequence} of consumer {delivery.consumer} on "
                    f"{delivery.subject} cannot be settled by consumer {self._name} on "
                    f"{self._subject}"
                )
            messages.append(message)
        return messages

    async def close(self) -> None:
        """Stop the subscription; the durable consumer stays on the server."""
        with self._errors("close"):
            await self._subscription.unsubscribe()

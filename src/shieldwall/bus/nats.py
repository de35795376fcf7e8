"""NATS JetStream implementation of the Bus protocol, for the scale-out deployment.

Each subject gets its own file-backed stream (``SHIELDWALL_`` + the subject with ``.`` as
``_``), so sequence numbers run per subject without holes, as on the embedded bus. The
idempotency key travels as ``Nats-Msg-Id``; JetStream drops a repeat inside the stream's
duplicate window (``duplicate_window`` seconds) and answers with the first message's
sequence. Consumers are durable pull consumers with explicit ack, ``ack_wait`` and
``max_deliver``. Unlike the embedded bus, a reopened consumer gets its unacknowledged
messages back only when their ``ack_wait`` runs out: the server cannot tell a restart
from a slow worker.

Publishes and acks of a batch travel as one block of protocol text and their answers come
back on inboxes read straight off the wire (:mod:`.nats_replies`, :mod:`.nats_client`):
nats-py's own JetStream calls cost 20-50 µs of CPU per message, which every stage paid.

Error messages name the servers with any user and password removed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager, suppress
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from shieldwall.bus.names import (
    check_batch,
    check_consumer,
    check_consumer_settings,
    check_subject,
)
from shieldwall.bus.nats_client import DirectClient, send
from shieldwall.bus.nats_consumer import (
    REQUEST_TIMEOUT,
    NatsConsumer,
    failing_as_bus_error,
)
from shieldwall.bus.nats_replies import ReplyInbox, publish_block, sequences
from shieldwall.bus.protocol import DEFAULT_ACK_WAIT, DEFAULT_MAX_DELIVER
from shieldwall.model.errors import BusError

LOG = logging.getLogger(__name__)
STREAM_PREFIX = "SHIELDWALL_"
DEFAULT_DUPLICATE_WINDOW = 120.0
RECONNECT_WAIT = 0.5
STARTUP_ATTEMPTS = 1


def stream_name(subject: str) -> str:
    """The JetStream stream that holds ``subject`` (one stream per subject)."""
    return STREAM_PREFIX + check_subject(subject).replace(".", "_")


def redact(server: str) -> str:
    """``server`` without any user name or password, fit for an error message or a log."""
    parts = urlsplit(server)
    if parts.username is None and parts.password is None:
        return server
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


async def _log_connection_error(error: Exception) -> None:
    """Let the client's reconnect loop report problems without a traceback per attempt."""
    LOG.warning("NATS connection problem: %s: %s", type(error).__name__, error)


class NatsBus:
    """Durable subjects and consumers on a NATS JetStream server or cluster."""

    def __init__(
        self,
        client: DirectClient,
        *,
        servers: str,
        replicas: int,
        duplicate_window: float,
    ) -> None:
        self._client = client
        self._js: JetStreamContext = client.jetstream(timeout=REQUEST_TIMEOUT)
        self._servers = servers
        self._replicas = replicas
        self._duplicate_window = duplicate_window
        self._streams: set[str] = set()
        self._replies = ReplyInbox(client)

    @classmethod
    async def connect(
        cls,
        servers: Sequence[str],
        *,
        replicas: int = 1,
        duplicate_window: float = DEFAULT_DUPLICATE_WINDOW,
        connect_timeout: float = 2.0,
    ) -> NatsBus:
        """Connect and check that JetStream answers; raise :class:`BusError` if not."""
        label = ", ".join(redact(server) for server in servers)
        try:
            client = DirectClient()
            options: dict[str, Any] = {  # as nats.connect takes them (its types are narrower)
                "servers": list(servers),
                "name": "shieldwall",
                "connect_timeout": int(max(1, connect_timeout)),
                "reconnect_time_wait": RECONNECT_WAIT,
                "max_reconnect_attempts": STARTUP_ATTEMPTS,
                "error_cb": _log_connection_error,
            }
            await client.connect(**options)
        except (nats.errors.Error, OSError, TimeoutError) as error:
            raise BusError(
                f"cannot connect to NATS at {label}: {type(error).__name__}: {error}; "
                "check SHIELDWALL_BUS_URL and that nats-server is running"
            ) from error
        # Fail fast at start-up, but once running, ride out any outage of the servers.
        client.options["max_reconnect_attempts"] = -1
        bus = cls(client, servers=label, replicas=replicas, duplicate_window=duplicate_window)
        try:
            with failing_as_bus_error("JetStream check (is nats-server running with -js?)", label):
                await bus._js.account_info()
        except BusError:
            await client.close()
            raise
        return bus

    def _errors(self, operation: str) -> AbstractContextManager[None]:
        return failing_as_bus_error(operation, self._servers)

    async def _stream(self, subject: str) -> str:
        """Create the subject's stream the first time this process needs it."""
        name = stream_name(subject)
        if name in self._streams:
            return name
        with self._errors(f"creating stream {name}"):
            try:
                await self._js.stream_info(name)
            except nats.js.errors.NotFoundError:
                await self._js.add_stream(
                    StreamConfig(
                        name=name,
                        subjects=[subject],
                        storage=StorageType.FILE,
                        num_replicas=self._replicas,
                        duplicate_window=self._duplicate_window,
                    )
                )
        self._streams.add(name)
        return name

    async def publish(self, subject: str, payload: bytes, *, key: str) -> int:
        """Store one message; see :meth:`shieldwall.bus.protocol.Bus.publish`."""
        return (await self.publish_many(subject, [(key, payload)]))[0]

    async def publish_many(self, subject: str, messages: Sequence[tuple[str, bytes]]) -> list[int]:
        """Send all messages in order, then wait for every acknowledgement.

        Each message carries its key as ``Nats-Msg-Id`` and the stream it must land in as
        ``Nats-Expected-Stream``, as nats-py's JetStream publish sends them; the pub-acks
        come back on one inbox (:mod:`.nats_replies`) and each is checked.
        """
        check_batch(subject, messages)
        if not messages:
            return []
        stream = await self._stream(subject)
        limit = self._client.max_payload
        with self._errors(f"publish to {subject}"):
            if max(len(payload) for _, payload in messages) > limit:
                raise nats.errors.MaxPayloadError
            round_, reply = await self._replies.open(len(messages))
            await send(self._client, publish_block(subject, stream, reply, messages))
            try:
                replies = await self._replies.wait(round_, REQUEST_TIMEOUT)
            except TimeoutError as error:
                raise BusError(
                    f"NATS at {self._servers}: publish to {subject} not acknowledged within "
                    f"{REQUEST_TIMEOUT} s"
                ) from error
        return sequences(replies, f"NATS at {self._servers}: publish to {subject}")

    async def consumer(
        self,
        subject: str,
        name: str,
        *,
        ack_wait: float = DEFAULT_ACK_WAIT,
        max_deliver: int = DEFAULT_MAX_DELIVER,
    ) -> NatsConsumer:
        """Create or update the durable pull consumer and read it through an inbox of its own."""
        check_consumer(name)
        check_consumer_settings(ack_wait, max_deliver)
        stream = await self._stream(subject)
        config = ConsumerConfig(
            durable_name=name,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ack_wait,
            max_deliver=max_deliver,
            filter_subject=subject,
        )
        with self._errors(f"opening consumer {name} on {subject}"):
            await self._js.add_consumer(stream, config)
        consumer = NatsConsumer(self._client, stream, subject, name, self._servers, self._replies)
        await consumer.start()
        return consumer

    async def last_sequence(self, subject: str) -> int:
        """Sequence number of the latest message on ``subject``; 0 if none."""
        name = stream_name(subject)
        with self._errors(f"reading {subject}"):
            try:
                info = await self._js.stream_info(name)
            except nats.js.errors.NotFoundError:
                return 0
        return int(info.state.last_seq)

    async def backlog(self, subject: str, consumer: str) -> int | None:
        """Not yet delivered plus delivered and unacknowledged, as JetStream counts them."""
        with self._errors(f"reading consumer {consumer} on {subject}"):
            try:
                info = await self._js.consumer_info(stream_name(subject), consumer)
            except nats.js.errors.NotFoundError:
                return None
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def drop(self, subject: str) -> None:
        """Delete the subject's stream with its messages and consumers."""
        name = stream_name(subject)
        with self._errors(f"dropping {subject}"), suppress(nats.js.errors.NotFoundError):
            await self._js.delete_stream(name)
        self._streams.discard(name)

    async def close(self) -> None:
        """Flush what is still buffered (naks) and close the connection.

        Not ``drain()``: it waits out the server's expiry of a pull request left by a fetch
        that timed out, up to 30 s, and every ack call has already waited for its
        confirmation.
        """
        if self._client.is_closed:
            return
        with self._errors("closing"):
            await self._client.flush(int(REQUEST_TIMEOUT))
            await self._client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

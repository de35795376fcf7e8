"""The NATS bus's consumer: a JetStream pull consumer behind the Consumer protocol.

Acks wait for the server's confirmation (an ack sent with a reply subject, as
``ack_sync`` does), so once :meth:`NatsConsumer.ack` returns the message will not come
back, even if the process dies the next instant. The acks of a call go out together and
one confirmation covers them all (see :meth:`NatsConsumer.ack`): one write and one wait
per batch instead of one request each.

A fetch asks the server for the batch (``MSG.NEXT`` with ``no_wait``: what is there now,
ended by a status), and only when nothing came, waits with a request that expires at the
caller's timeout, as nats-py's ``fetch`` does; the deliveries arrive on the consumer's own
inbox and are read from the subscription's callback, with no task or timer per message.
A delivery that comes after its fetch gave up waits for the next fetch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from operator import attrgetter

import nats.errors
import orjson
from nats.aio.subscription import Subscription

from shieldwall.bus.nats_client import MSG_ID_HEADER, DirectClient, header, send, status
from shieldwall.bus.nats_replies import ReplyInbox
from shieldwall.bus.protocol import Delivery
from shieldwall.model.errors import BusError

_MSG_ID = MSG_ID_HEADER.encode()
Arrival = tuple[bytes, bytes, bytes, bytes | None]
"""A message off the wire: subject, reply subject, payload, raw headers."""
REQUEST_TIMEOUT = 5.0
API_PREFIX = "$JS.API"
END_OF_REQUEST = frozenset({"404", "408", "409"})
"""No messages, the request expired (or ``no_wait`` ran out), too many waiting requests."""
HEARTBEAT = "100"
_SEQUENCE = attrgetter("sequence")


@contextmanager
def failing_as_bus_error(operation: str, servers: str) -> Iterator[None]:
    """Turn the client's errors into :class:`BusError` naming the operation and servers."""
    try:
        yield
    except nats.errors.Error as error:
        raise BusError(
            f"NATS at {servers}: {operation} failed: {type(error).__name__}: {error}"
        ) from error


class Handle:
    """What settles one delivery: its ack subject, and whether it was settled here."""

    __slots__ = ("reply", "settled")

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.settled = False


class NatsConsumer:
    """A durable JetStream pull consumer read through an inbox of its own."""

    def __init__(
        self,
        client: DirectClient,
        stream: str,
        subject: str,
        name: str,
        servers: str,
        replies: ReplyInbox,
    ) -> None:
        self._client = client
        self._next = f"{API_PREFIX}.CONSUMER.MSG.NEXT.{stream}.{name}".encode()
        self._subject = subject
        self._name = name
        self._servers = servers
        self._replies = replies
        self._inbox = ""
        self._requests = 0
        self._arrived: deque[Arrival] = deque()
        self._wakeup: asyncio.Event = asyncio.Event()
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        """Subscribe to the inbox the consumer's deliveries come to."""
        with self._errors("subscribe"):
            self._inbox = self._client.new_inbox()
            self._subscription = await self._client.subscribe_direct(
                self._inbox + ".*", self._arrive
            )

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

    def _arrive(self, subject: bytes, reply: bytes, data: bytes, headers: bytes | None) -> None:
        self._arrived.append((subject, reply, data, headers))
        self._wakeup.set()

    async def fetch(self, batch: int = 100, *, timeout: float = 1.0) -> list[Delivery]:
        """Return up to ``batch`` deliveries, waiting up to ``timeout`` s for the first."""
        if batch < 1:
            raise BusError(f"fetch batch must be at least 1, got {batch}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.01)
        got: list[Delivery] = []
        with self._errors("fetch"):
            self._take(got, batch, b"")  # come after their fetch gave up
            if len(got) < batch:
                request = await self._request({"batch": batch - len(got), "no_wait": True})
                await self._collect(got, batch, request, deadline, patient=True)
            left = deadline - loop.time()
            if not got and left > 0.002:
                expires = int((left - 0.001) * 1e9)
                request = await self._request({"batch": batch, "expires": expires})
                await self._collect(got, batch, request, deadline, patient=False)
        got.sort(key=_SEQUENCE)
        return got

    async def _request(self, asked: dict[str, object]) -> bytes:
        """Ask the server for deliveries; the subject its end-of-request status comes on."""
        self._requests += 1
        reply = f"{self._inbox}.{self._requests}".encode()
        body = orjson.dumps(asked)
        await send(self._client, b"PUB %s %s %d\r\n%s\r\n" % (self._next, reply, len(body), body))
        return reply

    async def _collect(
        self, got: list[Delivery], batch: int, request: bytes, deadline: float, *, patient: bool
    ) -> None:
        """Take deliveries until ``batch``, the request's end or ``deadline``; unless
        ``patient``, stop at the first that come (the rest wait for the next fetch)."""
        loop = asyncio.get_running_loop()
        while len(got) < batch:
            if self._take(got, batch, request) or len(got) >= batch or (got and not patient):
                return
            left = deadline - loop.time()
            if left <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), left)
            except TimeoutError:
                return

    def _take(self, got: list[Delivery], batch: int, request: bytes) -> bool:
        """Move arrived deliveries into ``got`` (up to ``batch``); True once ``request``
        has ended. Statuses of earlier requests are dropped; a status that is no end of
        a request is an error."""
        arrived = self._arrived
        subject, name = self._subject, self._name
        while arrived and len(got) < batch:
            delivered, reply, data, headers = arrived.popleft()
            if not reply:
                code = status(headers)
                if code in END_OF_REQUEST or code == HEARTBEAT:
                    if delivered == request and code != HEARTBEAT:
                        return True
                    continue
                line = (headers or b"no status").partition(b"\r\n")[0]
                raise BusError(
                    f"NATS at {self._servers}: fetch for consumer {name} failed: "
                    f"{line.decode('utf-8', 'replace')}"
                )
            tokens = reply.split(b".")
            at = 4 if len(tokens) == 9 else 6  # $JS.ACK.[domain.account.]stream.consumer...
            got.append(  # subject, consumer, sequence, key, payload, attempt, handle
                Delivery(
                    subject,
                    name,
                    int(tokens[at + 1]),
                    header(headers, _MSG_ID),
                    data,
                    int(tokens[at]),
                    Handle(reply),
                )
            )
        return False

    async def ack(self, *deliveries: Delivery) -> None:
        """Acknowledge and wait until the server has recorded every acknowledgement; a
        delivery already settled here is skipped.

        The acks go out in order in one write and only the last asks for a reply: the
        server handles one connection's acks of a consumer in the order sent (they reach
        the consumer through one subscription, and NATS keeps a publisher's order), so
        its reply to the last comes only after every earlier one is recorded. If the
        connection breaks, the last ack is what is lost first, and the call fails.
        """
        handles = list({id(handle): handle for handle in self._handles(deliveries)}.values())
        handles = [handle for handle in handles if not handle.settled]
        if not handles:
            return
        *earlier, last = handles
        with self._errors("ack"):
            round_, reply = await self._replies.open(1)
            block = b"".join(b"PUB %s 4\r\n+ACK\r\n" % handle.reply for handle in earlier)
            block += b"PUB %s %s0 4\r\n+ACK\r\n" % (last.reply, reply)
            await send(self._client, block)
            try:
                [(_, confirmation)] = await self._replies.wait(round_, REQUEST_TIMEOUT)
            except TimeoutError as error:
                raise BusError(
                    f"NATS at {self._servers}: ack for consumer {self._name} not confirmed "
                    f"within {REQUEST_TIMEOUT} s"
                ) from error
        if status(confirmation):
            raise BusError(
                f"NATS at {self._servers}: ack for consumer {self._name} failed: "
                f"status {status(confirmation)} (is the consumer gone?)"
            )
        for handle in handles:
            handle.settled = True

    async def nak(self, *deliveries: Delivery) -> None:
        """Hand deliveries back for redelivery now (not confirmed, as nats-py's ``nak``)."""
        handles = [handle for handle in self._handles(deliveries) if not handle.settled]
        if not handles:
            return
        with self._errors("nak"):
            await send(
                self._client,
                b"".join(b"PUB %s 4\r\n-NAK\r\n" % handle.reply for handle in handles),
            )
        for handle in handles:
            handle.settled = True

    def _handles(self, deliveries: Sequence[Delivery]) -> list[Handle]:
        """The handles behind deliveries of this consumer."""
        handles: list[Handle] = []
        for delivery in deliveries:
            handle = delivery.handle
            if (
                delivery.consumer != self._name
                or delivery.subject != self._subject
                or not isinstance(handle, Handle)
            ):
                raise BusError(
                    f"delivery {delivery.sequence} of consumer {delivery.consumer} on "
                    f"{delivery.subject} cannot be settled by consumer {self._name} on "
                    f"{self._subject}"
                )
            handles.append(handle)
        return handles

    async def close(self) -> None:
        """Stop the subscription; the durable consumer stays on the server."""
        if self._subscription is not None:
            with self._errors("close"):
                await self._client.unsubscribe_direct(self._subscription)
            self._subscription = None

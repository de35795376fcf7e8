"""nats-py's client with a direct route from the wire to the bus's own inboxes.

Every message nats-py receives becomes a ``Msg`` (headers parsed into a dict, name by name),
goes through the subscription's queue and wakes the subscription's task, which calls its
callback: 3-4 µs of CPU before the bus sees it. The bus's inboxes (pub-acks, ack
confirmations, a consumer's deliveries) take each message as it comes off the parser,
as bytes, in a plain function; every other subscription goes the usual way.

nats-py's parser hands every message to ``Client._process_msg`` (its 2.x releases); this
overrides it for the routed subscriptions only. The subscriptions themselves are ordinary
ones, so a reconnect subscribes them again. The protocol text writer (:func:`send`) queues
on the client's own write buffer (``_send_command``, as its ``publish`` does) so that a
reconnect resends it like any publish; nats-py has no public call that takes protocol text.
"""

from __future__ import annotations

from collections.abc import Callable

import nats.errors
from nats.aio.client import Client
from nats.aio.subscription import Subscription

Handler = Callable[[bytes, bytes, bytes, bytes | None], None]
"""Takes a message's subject, reply subject, payload and raw header block (or None)."""

STATUS_LINE = b"NATS/1.0 "
MSG_ID_HEADER = "Nats-Msg-Id"
"""The header that carries a message's idempotency key."""


class DirectClient(Client):
    """A NATS client whose routed subscriptions get their messages as bytes, at once."""

    def __init__(self) -> None:
        super().__init__()
        self._routes: dict[int, Handler] = {}

    async def subscribe_direct(self, subject: str, handler: Handler) -> Subscription:
        """Subscribe ``subject``; its messages go to ``handler`` (which must not raise)."""
        subscription = await self.subscribe(subject)
        self._routes[subscription._id] = handler
        return subscription

    async def unsubscribe_direct(self, subscription: Subscription) -> None:
        """End a routed subscription."""
        self._routes.pop(subscription._id, None)
        await subscription.unsubscribe()

    async def _process_msg(
        self, sid: int, subject: bytes, reply: bytes, data: bytes, headers: bytes
    ) -> None:  # ``headers`` is None when the message has none, whatever nats-py declares
        handler = self._routes.get(sid)
        if handler is None:
            await super()._process_msg(sid, subject, reply, data, headers)
        else:
            handler(subject, reply, data, headers)


def status(headers: bytes | None) -> str:
    """The status the server put on a message (``503`` no responders, ``404``...); "" if none."""
    if headers is None or not headers.startswith(STATUS_LINE):
        return ""
    return headers[len(STATUS_LINE) : len(STATUS_LINE) + 3].decode("ascii", "replace")


def header(headers: bytes | None, name: bytes) -> str:
    """The value of header ``name`` (``b"Nats-Msg-Id"``) in a raw header block; "" if absent.

    For a header sent once, read as nats-py reads it: the value after the colon, stripped
    and decoded as UTF-8 (bad bytes replaced).
    """
    if headers is None:
        return ""
    at = headers.find(b"\r\n" + name + b":")
    if at < 0:
        return ""
    start = at + len(name) + 3
    end = headers.find(b"\r\n", start)
    return headers[start : end if end >= 0 else len(headers)].strip().decode("utf-8", "replace")


async def send(client: Client, block: bytes) -> None:
    """Queue protocol text for the server and let the flusher write it, as ``publish`` does."""
    if client.is_closed:
        raise nats.errors.ConnectionClosedError
    if client.is_draining_pubs:
        raise nats.errors.ConnectionDrainingError
    if not client.is_connected and (
        client._max_pending_size <= 0
        or len(block) + client._pending_data_size > client._max_pending_size
    ):
        raise nats.errors.OutboundBufferLimitError
    await client._send_command(block)
    if client._flush_queue is not None and client._flush_queue.empty():
        await client._flush_pending()  # kick the flusher, unless a kick is pending already

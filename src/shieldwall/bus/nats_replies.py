"""Pipelined JetStream requests: many sent at once, every reply counted on one inbox.

A JetStream publish and a confirmed ack are each a request with one reply (the stream's
pub-ack, the consumer's ack confirmation). nats-py sends each through its general
machinery (a future, a token, header validation, a JSON decode into a dataclass): about
20 µs of CPU per publish and 50 per confirmed ack. Here a batch's requests are written as
one block of protocol text with reply subjects ``<inbox>.<round>.<index>`` and one
wildcard subscription counts the replies of each round: the caller still learns the
answer of every single request, in order, and still returns only once all have come.

The block is queued on the client's own write buffer (``_send_command``, as its
``publish`` does) so that a reconnect resends it like any publish; nats-py has no public
call that takes protocol text.
"""

from __future__ import annotations

import asyncio
import itertools

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg

STATUS_HEADER = "Status"


class Round:
    """The replies awaited for one batch of requests, slot by slot."""

    __slots__ = ("done", "missing", "name", "replies")

    def __init__(self, name: str, count: int) -> None:
        self.name = name
        self.replies: list[Msg | None] = [None] * count
        self.missing = count
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def take(self, index: int, message: Msg) -> None:
        """Record the reply of request ``index``; a second reply to one request is ignored."""
        replies = self.replies
        if 0 <= index < len(replies) and replies[index] is None:
            replies[index] = message
            self.missing -= 1
            if not self.missing and not self.done.done():
                self.done.set_result(None)


class ReplyInbox:
    """One subscription for the replies of every pipelined request of a connection."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._prefix = ""
        self._rounds: dict[str, Round] = {}
        self._numbers = itertools.count(1)

    async def open(self, count: int) -> tuple[Round, bytes]:
        """A round of ``count`` requests and the reply subject prefix its requests use
        (append the request's index)."""
        if not self._prefix:
            prefix = self._client.new_inbox() + "."
            await self._client.subscribe(prefix + ">", cb=self._reply)
            self._prefix = prefix
        name = str(next(self._numbers))
        round_ = Round(name, count)
        self._rounds[name] = round_
        return round_, f"{self._prefix}{name}.".encode()

    async def wait(self, round_: Round, timeout: float) -> list[Msg]:
        """Every reply of ``round_`` in request order; :class:`TimeoutError` if one is late."""
        try:
            if round_.missing:
                await asyncio.wait_for(round_.done, timeout)
        finally:
            del self._rounds[round_.name]
        return [reply for reply in round_.replies if reply is not None]

    async def _reply(self, message: Msg) -> None:
        name, _, index = message.subject[len(self._prefix) :].partition(".")
        round_ = self._rounds.get(name)
        if round_ is not None and index.isdigit():
            round_.take(int(index), message)


def status(message: Msg) -> str:
    """The status a server put on a reply (``503`` no responders, ``404``...); "" if none."""
    headers = message.headers
    return headers.get(STATUS_HEADER, "") if headers else ""


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
    await client._flush_pending()

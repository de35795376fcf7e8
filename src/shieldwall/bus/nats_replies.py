"""Pipelined JetStream requests: many sent at once, every reply counted on one inbox.

A JetStream publish and a confirmed ack are each a request with one reply (the stream's
pub-ack, the consumer's ack confirmation). nats-py sends each through its general
machinery (a future, a token, header validation, a JSON decode into a dataclass): about
20 µs of CPU per publish and 50 per confirmed ack. Here a batch's requests are written as
one block of protocol text with reply subjects ``<inbox>.<round>.<index>`` and one
wildcard subscription, routed straight off the wire (:mod:`.nats_client`), counts the
replies of each round: the caller still learns the answer of every request, in order,
and still returns only once all have come.
"""

from __future__ import annotations

import asyncio
import itertools

from shieldwall.bus.nats_client import DirectClient

Reply = tuple[bytes, bytes | None]
"""A reply's payload and raw header block."""


class Round:
    """The replies awaited for one batch of requests, slot by slot."""

    __slots__ = ("done", "missing", "name", "replies")

    def __init__(self, name: bytes, count: int) -> None:
        self.name = name
        self.replies: list[Reply | None] = [None] * count
        self.missing = count
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def take(self, index: int, reply: Reply) -> None:
        """Record the reply of request ``index``; a second reply to one request is ignored."""
        replies = self.replies
        if 0 <= index < len(replies) and replies[index] is None:
            replies[index] = reply
            self.missing -= 1
            if not self.missing and not self.done.done():
                self.done.set_result(None)


class ReplyInbox:
    """One subscription for the replies of every pipelined request of a connection."""

    def __init__(self, client: DirectClient) -> None:
        self._client = client
        self._prefix = b""
        self._rounds: dict[bytes, Round] = {}
        self._numbers = itertools.count(1)

    async def open(self, count: int) -> tuple[Round, bytes]:
        """A round of ``count`` requests and the reply subject prefix its requests use
        (append the request's index)."""
        if not self._prefix:
            prefix = self._client.new_inbox() + "."
            await self._client.subscribe_direct(prefix + ">", self._reply)
            self._prefix = prefix.encode()
        name = str(next(self._numbers)).encode()
        round_ = Round(name, count)
        self._rounds[name] = round_
        return round_, self._prefix + name + b"."

    async def wait(self, round_: Round, timeout: float) -> list[Reply]:
        """Every reply of ``round_`` in request order; :class:`TimeoutError` if one is late."""
        try:
            if round_.missing:
                await asyncio.wait_for(round_.done, timeout)
        finally:
            del self._rounds[round_.name]
        return [reply for reply in round_.replies if reply is not None]

    def _reply(self, subject: bytes, _: bytes, data: bytes, headers: bytes | None) -> None:
        name, _dot, index = subject[len(self._prefix) :].partition(b".")
        round_ = self._rounds.get(name)
        if round_ is not None and index.isdigit():
            round_.take(int(index), (data, headers))

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
from collections.abc import Sequence

import orjson

from shieldwall.bus.nats_client import MSG_ID_HEADER, DirectClient, status
from shieldwall.model.errors import BusError

EXPECTED_STREAM_HEADER = b"Nats-Expected-Stream"

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
        self._subscribing = asyncio.Lock()

    async def open(self, count: int) -> tuple[Round, bytes]:
        """A round of ``count`` requests and the reply subject prefix its requests use
        (append the request's index)."""
        if not self._prefix:
            async with self._subscribing:  # two first publishes at once subscribe once
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


def publish_block(
    subject: str, stream: str, reply: bytes, messages: Sequence[tuple[str, bytes]]
) -> bytes:
    """The HPUB commands of a batch, message ``n`` answered on ``reply`` + ``n``: each with
    its key as ``Nats-Msg-Id`` and the stream it must land in as ``Nats-Expected-Stream``,
    as nats-py's JetStream publish sends them.

    The keys are checked printable (:func:`~shieldwall.bus.names.check_batch`), so none
    holds a line break that could end its header line early.
    """
    head = b"HPUB " + subject.encode() + b" " + reply
    tail = b"\r\n" + EXPECTED_STREAM_HEADER + b": " + stream.encode() + b"\r\n\r\n"
    start = b"NATS/1.0\r\n" + MSG_ID_HEADER.encode() + b": "
    parts = []
    for index, (key, payload) in enumerate(messages):
        headers = start + key.encode() + tail
        size = len(headers)
        parts.append(
            b"%s%d %d %d\r\n%s%s\r\n" % (head, index, size, size + len(payload), headers, payload)
        )
    return b"".join(parts)


def sequences(replies: list[Reply], where: str) -> list[int]:
    """The stream sequence of every pub-ack, or :class:`BusError` (``where`` its start)
    for the first that is not one.

    The usual answer, all stored, is read as one JSON array (one call, not one each).
    """
    if all(headers is None for _, headers in replies):
        try:
            answers = orjson.loads(b"[" + b",".join([data for data, _ in replies]) + b"]")
        except orjson.JSONDecodeError:
            answers = None
        if type(answers) is list and all(
            type(answer) is dict and "error" not in answer and type(answer.get("seq")) is int
            for answer in answers
        ):
            return [answer["seq"] for answer in answers]
    return [_sequence(reply, where) for reply in replies]


def _sequence(reply: Reply, where: str) -> int:
    data, headers = reply
    code = status(headers)
    if code:
        raise BusError(f"{where} failed: status {code} (no stream answered)")
    try:
        answer = orjson.loads(data)
    except orjson.JSONDecodeError:
        answer = None
    error = answer.get("error") if type(answer) is dict else None
    if error is not None:
        description = error.get("description", error) if type(error) is dict else error
        raise BusError(f"{where} refused: {description}")
    if type(answer) is not dict or type(answer.get("seq")) is not int:
        raise BusError(f"{where}: no pub-ack: {data!r}")
    return int(answer["seq"])

"""Syslog lines into the live pipeline: attributed by sender address, batched, published.

A syslog message carries no credential, so its member is the configured range its sender
is in (the narrowest when ranges overlap); a message from no range is dropped and counted,
never attributed. Accepted lines wait in a bounded queue per member and leave it in batches (up to
``batch_lines`` or ``batch_seconds``, per member) through the same
:meth:`IngestDesk.publish_records` as HTTP batches, so the limits, normalisation and bus
keys are the same. When the bus pushes back (429: the member's rate, the bound in flight,
the detect backlog) the batch waits and is sent again under the same key; meanwhile that
member's queue fills, its TCP senders wait (their reads pause) and its UDP datagrams are
dropped and counted. Another member's lines do not wait for it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from shieldwall.config.syslog import Network, SyslogSource
from shieldwall.ingest.sniff import classify_text
from shieldwall.live.intake import IngestDesk
from shieldwall.model.errors import BusError, RateLimitedError
from shieldwall.model.event import RawRecord, SourceRef

log = logging.getLogger(__name__)


class SourceMap:
    """Sender address → member, narrowest configured range first."""

    def __init__(self, sources: Sequence[SyslogSource]) -> None:
        ordered = sorted(sources, key=lambda source: -source.network.prefixlen)
        self._ranges: list[tuple[Network, str]] = [(s.network, s.org_id) for s in ordered]

    def member(self, address: str) -> str | None:
        """The member whose range holds ``address``; None when none does."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return None
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        for network, org in self._ranges:
            if ip.version == network.version and ip in network:
                return org
        return None


@dataclass(slots=True)
class SyslogCounts:
    """What became of the messages received (for the operator's metrics and the tests)."""

    accepted: int = 0
    """Published on the bus."""
    refused: int = 0
    """Over-long, badly framed or not syslog."""
    unknown_source: int = 0
    """From an address in no configured range: dropped, never attributed."""
    dropped: int = 0
    """UDP datagrams that found the queue full."""
    batches: int = 0


class SyslogIntake:
    """A bounded queue per member between the sockets and the bus, each emptied by a task
    of its own: a member over its rate waits alone, the other members' lines go on."""

    def __init__(
        self,
        desk: IngestDesk,
        sources: SourceMap,
        *,
        queue_lines: int = 10_000,
        batch_lines: int = 500,
        batch_seconds: float = 0.2,
    ) -> None:
        self.desk = desk
        self.sources = sources
        self.counts = SyslogCounts()
        self.queue_lines = queue_lines
        self.batch_lines = batch_lines
        self.batch_seconds = batch_seconds
        self._queues: dict[str, asyncio.Queue[str | None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = asyncio.Event()

    def member(self, address: str) -> str | None:
        """The sender's member; counts the message as unknown when there is none."""
        member = self.sources.member(address)
        if member is None:
            self.counts.unknown_source += 1
        return member

    def offer(self, member: str, message: bytes) -> None:
        """Queue a datagram's message, or drop and count it when the queue is full."""
        try:
            self._queue(member).put_nowait(_text(message))
        except asyncio.QueueFull:
            self.counts.dropped += 1

    async def put(self, member: str, message: bytes) -> None:
        """Queue a stream's message, waiting while the queue is full (the reads pause)."""
        await self._queue(member).put(_text(message))

    async def close(self) -> None:
        """Let every member's task publish what is queued and end (sockets closed first)."""
        for queue in self._queues.values():
            await queue.put(None)
        self._closed.set()

    async def run(self) -> None:
        """Until :meth:`close` and every member's queue is published."""
        await self._closed.wait()
        await asyncio.gather(*self._tasks)

    def _queue(self, member: str) -> asyncio.Queue[str | None]:
        queue = self._queues.get(member)
        if queue is None:
            queue = self._queues[member] = asyncio.Queue(self.queue_lines)
            task = asyncio.get_running_loop().create_task(self._drain(member, queue))
            self._tasks.append(task)
        return queue

    async def _drain(self, member: str, queue: asyncio.Queue[str | None]) -> None:
        """Publish one member's queue in batches of ``batch_lines`` or ``batch_seconds``."""
        loop = asyncio.get_running_loop()
        while True:
            first = await queue.get()
            if first is None:
                return
            lines, deadline, stop = [first], loop.time() + self.batch_seconds, False
            while len(lines) < self.batch_lines:
                try:
                    item = await asyncio.wait_for(queue.get(), deadline - loop.time())
                except TimeoutError:
                    break
                if item is None:
                    stop = True
                    break
                lines.append(item)
            await self._publish(member, lines)
            if stop:
                return

    async def _publish(self, member: str, lines: list[str]) -> None:
        """One member's batch onto the bus, sent again under its key until it is taken."""
        batch = f"syslog-{uuid.uuid4().hex}"
        source = f"syslog:{member}:{batch}"
        records = [
            RawRecord(SourceRef(source, number), classify_text(line, None), line)
            for number, line in enumerate(lines, 1)
        ]
        while True:
            try:
                report = await self.desk.publish_records(member, batch, records)
            except RateLimitedError as exc:
                await asyncio.sleep(min(exc.retry_after, 5))
                continue
            except BusError as exc:
                log.warning("syslog batch of %s waits for the bus: %s", member, exc)
                await asyncio.sleep(1.0)
                continue
            break
        self.counts.accepted += report.accepted
        self.counts.refused += len(report.refused)
        self.counts.batches += 1


def _text(message: bytes) -> str:
    """One line of text: undecodable bytes replaced, inner line ends made spaces."""
    text = message.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")

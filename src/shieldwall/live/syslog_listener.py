"""The syslog sockets: UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425) into one intake.

Each accepted message is handed to :class:`SyslogIntake` with the member its sender's
address belongs to. A TCP or TLS connection from an address in no range is read and its
messages counted and dropped (the sender learns nothing); an over-long message is refused
and the connection goes on. A stream connection waits while the intake's queue is full, so
a slow bus stops the reads and the sender's TCP window closes: back-pressure, not memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from dataclasses import dataclass, field

from shieldwall.ingest.syslog_frames import FrameRefused, StreamFramer, datagram
from shieldwall.live.syslog_intake import SyslogIntake

log = logging.getLogger(__name__)
READ_BYTES = 64 << 10


@dataclass(frozen=True, slots=True)
class SyslogPorts:
    """Where to listen; a port left None is not opened, 0 takes any free port."""

    host: str = "127.0.0.1"
    udp: int | None = None
    tcp: int | None = None
    tls: int | None = None
    tls_context: ssl.SSLContext | None = None
    max_message_bytes: int = 65_536


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, intake: SyslogIntake, max_bytes: int) -> None:
        self._intake = intake
        self._max = max_bytes

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        member = self._intake.member(str(addr[0]))
        if member is None:
            return
        frame = datagram(data, self._max)
        if isinstance(frame, FrameRefused) or not frame:
            self._intake.counts.refused += 1
            return
        self._intake.offer(member, frame)


@dataclass(slots=True)
class SyslogListener:
    """The open sockets and the intake they feed; :meth:`stop` closes them all."""

    intake: SyslogIntake
    ports: SyslogPorts
    bound: dict[str, int] = field(default_factory=dict)
    """The port each transport (``udp``, ``tcp``, ``tls``) was bound to."""
    _servers: list[asyncio.Server] = field(default_factory=list)
    _udp: asyncio.DatagramTransport | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the configured sockets and start publishing."""
        loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self.intake.run(), name="syslog-intake")
        ports = self.ports
        if ports.udp is not None:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self.intake, ports.max_message_bytes),
                local_addr=(ports.host, ports.udp),
            )
            self._udp = transport
            self.bound["udp"] = transport.get_extra_info("sockname")[1]
        for name, port, context in (
            ("tcp", ports.tcp, None),
            ("tls", ports.tls, ports.tls_context),
        ):
            if port is None:
                continue
            server = await asyncio.start_server(
                self._stream, ports.host, port, ssl=context, limit=READ_BYTES
            )
            self._servers.append(server)
            self.bound[name] = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the sockets, then publish what is queued."""
        if self._udp is not None:
            self._udp.close()
        for server in self._servers:
            server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 2.0)
        if self._task is not None:
            await self.intake.close()
            await self._task

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        member = self.intake.sources.member(str(peer[0])) if peer else None
        framer = StreamFramer(self.ports.max_message_bytes)
        try:
            while data := await reader.read(READ_BYTES):
                for frame in framer.feed(data):
                    if member is None:
                        self.intake.counts.unknown_source += 1
                    elif isinstance(frame, FrameRefused):
                        self.intake.counts.refused += 1
                    else:
                        await self.intake.put(member, frame)
        except (ConnectionError, ssl.SSLError) as exc:
            log.info("syslog connection from %s ended: %s", peer, exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

"""A tiny EVTX writer, so the contract suite has Windows event logs of its own.

The corpus may not be copied into the project, and no Python library writes EVTX, so this
module writes the format as Windows does for the records it needs: a file header, one or
more 64 KiB chunks with valid CRC32s, and per record a BinXML fragment holding a template
instance whose definition is inline (``<Event>`` with ``<System>`` and ``<EventData>`` or a
nested ``<UserData>``) and whose values are typed substitutions (UInt16 ``EventID``,
FILETIME ``SystemTime``, UInt64 ``EventRecordID``, UTF-16 strings). Layouts follow the
libyal EVTX documentation; the ``evtx`` package reads the result back (a test checks it).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

CHUNK_SIZE = 0x10000
CHUNK_HEADER = 512
FILE_HEADER = 4096
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)

STRING, UINT16, UINT64, FILETIME = 0x01, 0x06, 0x0A, 0x11
OPEN, OPEN_WITH_ATTRIBUTES, CLOSE_START, CLOSE_EMPTY, END = 0x01, 0x41, 0x02, 0x03, 0x04
VALUE, ATTRIBUTE, MORE_ATTRIBUTES, SUBSTITUTION, TEMPLATE, EOF = 0x05, 0x06, 0x46, 0x0D, 0x0C, 0
FRAGMENT = b"\x0f\x01\x01\x00"


@dataclass(frozen=True, slots=True)
class WindowsEvent:
    """The facts of one event.

    ``data`` goes to ``<EventData>`` as ``<Data Name="key">``, or, when ``user_data`` names
    an element, to ``<UserData><{user_data}><key>`` as Windows writes e.g. ``LogFileCleared``.
    ``nesting`` wraps those children in that many more elements (a hostile record).
    """

    event_id: int
    provider: str = "Microsoft-Windows-Security-Auditing"
    channel: str = "Security"
    computer: str = "WS01.corp.example"
    time: datetime = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    data: dict[str, str] = field(default_factory=dict)
    user_data: str | None = None
    nesting: int = 0


def filetime(moment: datetime) -> int:
    """100-nanosecond intervals since 1601, as Windows stamps records."""
    return (moment - FILETIME_EPOCH) // timedelta(microseconds=1) * 10


def name_hash(text: str) -> int:
    """The low 16 bits of Windows' name hash (readers ignore it; written for fidelity)."""
    value = 0
    for char in text:
        value = (value * 65599 + ord(char)) & 0xFFFFFFFF
    return value & 0xFFFF


Writer = Callable[["_Chunk"], None]


class _Chunk:
    """The bytes of one chunk after its header; offsets are chunk-relative, as BinXML wants."""

    def __init__(self) -> None:
        self.buf = bytearray()

    @property
    def pos(self) -> int:
        return CHUNK_HEADER + len(self.buf)

    def pack(self, fmt: str, *values: int) -> None:
        self.buf += struct.pack("<" + fmt, *values)

    def patch(self, at: int, value: int) -> None:
        self.buf[at : at + 4] = struct.pack("<I", value)

    def name(self, text: str) -> None:
        """A name written inline: its offset is where it starts, right after the offset."""
        self.pack("IIHH", self.pos + 4, 0, name_hash(text), len(text))
        self.buf += text.encode("utf-16-le") + b"\x00\x00"

    def element(
        self,
        name: str,
        attributes: Sequence[tuple[str, Writer]] = (),
        content: Writer | None = None,
    ) -> None:
        self.pack("BH", OPEN_WITH_ATTRIBUTES if attributes else OPEN, 0xFFFF)
        size_at = len(self.buf)
        self.pack("I", 0)
        self.name(name)
        if attributes:
            list_at = len(self.buf)
            self.pack("I", 0)
            for index, (attribute, value) in enumerate(attributes):
                last = index == len(attributes) - 1
                self.pack("B", ATTRIBUTE if last else MORE_ATTRIBUTES)
                self.name(attribute)
                value(self)
            self.patch(list_at, len(self.buf) - list_at - 4)
        if content is None:
            self.pack("B", CLOSE_EMPTY)
        else:
            self.pack("B", CLOSE_START)
            content(self)
            self.pack("B", END)
        self.patch(size_at, len(self.buf) - size_at - 4)


def _text(value: str) -> Writer:
    def write(chunk: _Chunk) -> None:
        chunk.pack("BBH", VALUE, STRING, len(value))
        chunk.buf += value.encode("utf-16-le")

    return write


def _sub(index: int, kind: int) -> Writer:
    def write(chunk: _Chunk) -> None:
        chunk.pack("BHB", SUBSTITUTION, index, kind)

    return write


def _values(event: WindowsEvent, record_id: int) -> list[tuple[int, bytes]]:
    values = [
        (STRING, event.provider.encode("utf-16-le")),
        (UINT16, struct.pack("<H", event.event_id)),
        (FILETIME, struct.pack("<Q", filetime(event.time))),
        (UINT64, struct.pack("<Q", record_id)),
        (STRING, event.channel.encode("utf-16-le")),
        (STRING, event.computer.encode("utf-16-le")),
    ]
    return values + [(STRING, value.encode("utf-16-le")) for value in event.data.values()]


def _definition(event: WindowsEvent) -> Writer:
    def system(chunk: _Chunk) -> None:
        chunk.element("Provider", [("Name", _sub(0, STRING))])
        chunk.element("EventID", content=_sub(1, UINT16))
        chunk.element("TimeCreated", [("SystemTime", _sub(2, FILETIME))])
        chunk.element("EventRecordID", content=_sub(3, UINT64))
        chunk.element("Channel", content=_sub(4, STRING))
        chunk.element("Computer", content=_sub(5, STRING))

    def event_data(chunk: _Chunk) -> None:
        for index, key in enumerate(event.data):
            chunk.element("Data", [("Name", _text(key))], _sub(6 + index, STRING))

    def user_data(depth: int) -> Writer:
        def write(chunk: _Chunk) -> None:
            if depth < event.nesting:
                chunk.element(f"Nested{depth}", content=user_data(depth + 1))
                return
            for index, key in enumerate(event.data):
                chunk.element(key, content=_sub(6 + index, STRING))

        return write

    def body(chunk: _Chunk) -> None:
        chunk.element("System", content=system)
        if event.user_data is None:
            chunk.element("EventData", content=event_data)
        else:
            inner = event.user_data
            chunk.element("UserData", content=lambda c: c.element(inner, content=user_data(0)))

    def write(chunk: _Chunk) -> None:
        chunk.element("Event", [("xmlns", _text(EVENT_NS))], body)

    return write


def _record(chunk: _Chunk, record_id: int, event: WindowsEvent) -> None:
    start = len(chunk.buf)
    chunk.buf += b"\x2a\x2a\x00\x00"
    chunk.pack("IQQ", 0, record_id, filetime(event.time))
    chunk.buf += FRAGMENT
    chunk.pack("BBII", TEMPLATE, 1, record_id, chunk.pos + 10)
    chunk.pack("I", 0)
    chunk.buf += bytes(range(16))  # the template's GUID
    size_at = len(chunk.buf)
    chunk.pack("I", 0)
    chunk.buf += FRAGMENT
    _definition(event)(chunk)
    chunk.pack("B", EOF)
    chunk.patch(size_at, len(chunk.buf) - size_at - 4)
    values = _values(event, record_id)
    chunk.pack("I", len(values))
    for kind, raw in values:
        chunk.pack("HBB", len(raw), kind, 0)
    for _, raw in values:
        chunk.buf += raw
    chunk.pack("B", EOF)
    size = len(chunk.buf) - start + 4
    chunk.pack("I", size)
    chunk.patch(start + 4, size)


def _chunk(events: Sequence[WindowsEvent], first_id: int, number: int) -> bytes:
    """One 64 KiB chunk holding ``events`` as records ``first_id`` onwards."""
    chunk = _Chunk()
    last = CHUNK_HEADER
    for record_id, event in enumerate(events, first_id):
        last = chunk.pos
        _record(chunk, record_id, event)
    if chunk.pos > CHUNK_SIZE:
        raise ValueError(f"the events of chunk {number} do not fit in 64 KiB")
    final = first_id + len(events) - 1
    header = bytearray(CHUNK_HEADER)
    header[0:8] = b"ElfChnk\x00"
    struct.pack_into("<QQQQIII", header, 8, first_id, final, first_id, final, 128, last, chunk.pos)
    struct.pack_into("<I", header, 52, zlib.crc32(chunk.buf))
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120]) + bytes(header[128:])))
    body = bytes(header) + bytes(chunk.buf)
    return body + bytes(CHUNK_SIZE - len(body))


def evtx_file(events: Sequence[WindowsEvent], *, per_chunk: int | None = None) -> bytes:
    """An EVTX file holding ``events`` (record ids 1..n), ``per_chunk`` to a chunk (all in
    one chunk by default); refuses a chunk that overflows."""
    size = per_chunk or max(1, len(events))
    groups = [events[start : start + size] for start in range(0, len(events), size)] or [[]]
    chunks = [_chunk(group, 1 + index * size, index) for index, group in enumerate(groups)]
    count = len(events)
    file_header = bytearray(FILE_HEADER)
    file_header[0:8] = b"ElfFile\x00"
    struct.pack_into(
        "<QQQIHHHH", file_header, 8, 0, len(chunks) - 1, count + 1, 128, 1, 3, FILE_HEADER,
        len(chunks),
    )  # fmt: skip
    struct.pack_into("<I", file_header, 124, zlib.crc32(bytes(file_header[:120])))
    return bytes(file_header) + b"".join(chunks)


def record_ends(data: bytes) -> list[int]:
    """The byte offset where each record of a file ends, in record order (read back from the
    record headers, so a test can tell which records a cut leaves whole)."""
    ends: list[int] = []
    for start in range(FILE_HEADER, len(data), CHUNK_SIZE):
        free_space = struct.unpack_from("<I", data, start + 48)[0]
        offset = CHUNK_HEADER
        while offset < free_space:
            offset += struct.unpack_from("<I", data, start + offset + 4)[0]
            ends.append(start + offset)
    return ends

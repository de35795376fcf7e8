"""A cut EVTX file: keep the records it still holds whole, and say where it was cut.

An EVTX file is a 4 KiB header and then 64 KiB chunks; a copy cut short (a full disk, a
transfer stopped, a log collected while written) ends inside one. The ``evtx`` package
reads nothing of a short last chunk and says nothing: a file of one chunk cut anywhere
gave 0 events and no problem. So before the package reads a file whose size is not a
whole number of chunks, the last chunk is rebuilt from what is there: the records that are
whole, up to the cut, with the chunk header's counts, offsets and checksums set to match
(what a repair tool would write), and the package reads that instead. The cut is reported
once, naming the file, the byte and the chunk.

A file that ends exactly on a chunk boundary but whose header counts more chunks is
reported too (nothing can be kept of chunks that are not there).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from shieldwall.ingest.opener import ByteStream
from shieldwall.model.errors import InputError

FILE_HEADER = 4096
CHUNK_SIZE = 0x10000
CHUNK_HEADER = 512
CHUNK_MAGIC = b"ElfChnk\x00"
RECORD_MAGIC = b"\x2a\x2a\x00\x00"
RECORD_HEADER = 24
"""Magic, size, record id, time; the size is repeated in the record's last four bytes."""
_TABLES = range(128, CHUNK_HEADER, 4)
"""The chunk header's string and template offset tables, 4 bytes an entry."""


@dataclass(frozen=True, slots=True)
class Layout:
    """How a file's bytes split into chunks, and what to read in place of a cut last chunk."""

    size: int
    whole_chunks: int
    repaired: bytes | None
    """The rebuilt last chunk (64 KiB), or None when there is nothing to keep of it."""

    @property
    def whole_bytes(self) -> int:
        """Bytes of the file the package reads as they are: the header and whole chunks."""
        return min(self.size, FILE_HEADER + self.whole_chunks * CHUNK_SIZE)


def plan(
    header: bytes, size: int, tail: bytes, source: str, on_problem: Callable[[InputError], None]
) -> Layout | None:
    """The layout of a file of ``size`` bytes (``tail``: the bytes after its whole chunks).

    Returns None when the file can be read as it is; otherwise reports the cut and returns
    what to read. ``header`` is the file's first 4 KiB (fewer when the file is shorter).
    """
    whole = max(0, size - FILE_HEADER) // CHUNK_SIZE
    counted = struct.unpack_from("<H", header, 42)[0] if len(header) >= 44 else 0
    if size < FILE_HEADER:
        on_problem(_cut(source, size, "inside the file header: nothing to read", "file"))
        return Layout(size, 0, None)
    if not tail:
        if counted > whole:
            reason = f"after {whole} whole chunk(s) of the {counted} its header counts"
            on_problem(_cut(source, size, reason, f"chunk {whole + 1}"))
        return None
    chunk, kept = repair_chunk(tail)
    where = f"inside chunk {whole + 1} (bytes {FILE_HEADER + whole * CHUNK_SIZE:,} on)"
    lost = f"; {counted - whole - 1} more chunk(s) its header counts are missing"
    reason = f"{where}: {_kept(tail, kept)}" + (lost if counted > whole + 1 else "")
    on_problem(_cut(source, size, reason, f"chunk {whole + 1}"))
    return Layout(size, whole, chunk)


def _kept(tail: bytes, kept: int) -> str:
    if not any(tail):
        return "in unused space (zeros): no record lost"
    if len(tail) < CHUNK_HEADER and CHUNK_MAGIC.startswith(tail[:8]):
        return "in its header, no record of it read"
    if not tail.startswith(CHUNK_MAGIC):
        return f"{len(tail):,} bytes that are not a chunk, skipped"
    first, last = struct.unpack_from("<QQ", tail, 8)
    held = last - first + 1
    if kept >= held:
        return f"all {kept} record(s) of it read (only its unused space was cut)"
    return f"{kept} whole record(s) of the {held} it held read, the rest lost"


def _cut(source: str, size: int, reason: str, place: str) -> InputError:
    return InputError(f"EVTX file cut at byte {size:,}, {reason}", source=source, place=place)


def _whole_records(tail: bytes, free_space: int) -> list[tuple[int, int]]:
    """(offset, size) of each record lying whole in ``tail`` and before the free space."""
    records: list[tuple[int, int]] = []
    offset = CHUNK_HEADER
    end = min(len(tail), free_space)
    while offset + RECORD_HEADER <= end and tail[offset : offset + 4] == RECORD_MAGIC:
        size = struct.unpack_from("<I", tail, offset + 4)[0]
        if size < RECORD_HEADER + 4 or offset + size > end:
            break
        if struct.unpack_from("<I", tail, offset + size - 4)[0] != size:
            break
        records.append((offset, size))
        offset += size
    return records


def repair_chunk(tail: bytes) -> tuple[bytes | None, int]:
    """The cut chunk rebuilt around its whole records, and how many; (None, 0) if none."""
    if len(tail) < CHUNK_HEADER or not tail.startswith(CHUNK_MAGIC):
        return None, 0
    free_space = struct.unpack_from("<I", tail, 48)[0]
    records = _whole_records(tail, free_space)
    if not records:
        return None, 0
    last_offset, last_size = records[-1]
    end = last_offset + last_size
    header = bytearray(tail[:CHUNK_HEADER])
    first_number = struct.unpack_from("<Q", header, 8)[0]
    last_id = struct.unpack_from("<Q", tail, last_offset + 8)[0]
    struct.pack_into("<Q", header, 16, first_number + len(records) - 1)
    struct.pack_into("<Q", header, 32, last_id)
    struct.pack_into("<II", header, 44, last_offset, end)
    for entry in _TABLES:
        if struct.unpack_from("<I", header, entry)[0] >= end:
            struct.pack_into("<I", header, entry, 0)
    body = tail[CHUNK_HEADER:end]
    struct.pack_into("<I", header, 52, zlib.crc32(body))
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120]) + bytes(header[128:])))
    chunk = bytes(header) + body
    return chunk + bytes(CHUNK_SIZE - len(chunk)), len(records)


class PatchedStream:
    """A seekable view of a file: its header and whole chunks, then the rebuilt last chunk.

    What the ``evtx`` package needs of a file object (``read``, ``seek``, ``tell``); the
    underlying stream is read only below :attr:`Layout.whole_bytes`.
    """

    def __init__(self, stream: ByteStream, layout: Layout) -> None:
        self._stream = stream
        self._keep = layout.whole_bytes
        self._tail = layout.repaired or b""
        self._size = self._keep + len(self._tail)
        self._position = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move like a file does (0: from the start, 1: from here, 2: from the end)."""
        base = (0, self._position, self._size)[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        """The current position."""
        return self._position

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative) from the current position."""
        end = self._size if size < 0 else min(self._size, self._position + size)
        parts: list[bytes] = []
        if self._position < min(end, self._keep):
            self._stream.seek(self._position)
            parts.append(self._stream.read(min(end, self._keep) - self._position))
        if end > self._keep:
            start = max(self._position, self._keep) - self._keep
            parts.append(self._tail[start : end - self._keep])
        data = b"".join(parts)
        self._position += len(data)
        return data

"""Open a file as bytes, transparently decompressing gzip (recognised by its magic bytes)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Protocol

GZIP_MAGIC = b"\x1f\x8b"


class ByteStream(Protocol):
    """What the readers need of an open file: plain files and gzip streams both fit."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def close(self) -> None: ...


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes (the content decides, not the name)."""
    with path.open("rb") as raw:
        return raw.read(2) == GZIP_MAGIC


def open_bytes(path: Path) -> ByteStream:
    """Open ``path`` for binary reading; a gzip file (any name) is decompressed on the fly.

    Rotated logs are often gzipped without a ``.gz`` suffix, hence the magic-byte check.
    Raises :class:`OSError` when the file cannot be opened.
    """
    raw = path.open("rb")
    try:
        gzipped = raw.peek(len(GZIP_MAGIC))[: len(GZIP_MAGIC)] == GZIP_MAGIC
    except BaseException:
        raw.close()
        raise
    if not gzipped:
        return raw  # one open, not two (a file read whole is opened several times)
    raw.close()
    return gzip.open(path, "rb")

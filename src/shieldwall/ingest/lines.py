"""Read a byte stream as numbered text lines, never holding more than one bounded line."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from shieldwall.ingest.limits import MAX_LINE_BYTES
from shieldwall.ingest.opener import ByteStream
from shieldwall.model.errors import InputError


def iter_lines(
    stream: ByteStream,
    source: str,
    on_problem: Callable[[InputError], None],
    *,
    max_bytes: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for each non-blank line, 1-based, without the newline.

    Bytes that are not UTF-8 are replaced (U+FFFD) rather than dropped, so a stray byte does
    not cost the whole record. A line longer than ``max_bytes`` is reported and skipped by
    reading past it in bounded chunks.
    """
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes:
            _skip_rest_of_line(stream, raw, max_bytes)
            on_problem(
                InputError(
                    f"line longer than {max_bytes} bytes; skipped",
                    source=source,
                    place=f"line {number}",
                )
            )
            continue
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if text.strip():
            yield number, text


def _skip_rest_of_line(stream: ByteStream, chunk: bytes, max_bytes: int) -> None:
    while chunk and not chunk.endswith(b"\n"):
        chunk = stream.readline(max_bytes)

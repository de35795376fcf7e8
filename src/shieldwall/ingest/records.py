"""Read one file into raw records: open (gzip or not), recognise the layout, pick the reader."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from shieldwall.ingest.auditd import read_auditd_lines
from shieldwall.ingest.evtx import read_evtx
from shieldwall.ingest.jsonlines import read_json_lines
from shieldwall.ingest.limits import MAX_PROBLEMS_PER_FILE, SNIFF_BYTES
from shieldwall.ingest.opener import ByteStream, open_bytes
from shieldwall.ingest.sniff import EVTX_MAGIC, Layout, sniff_layout, starts_with_comment
from shieldwall.ingest.text import read_text_lines
from shieldwall.ingest.zeek_tsv import read_zeek_tsv
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat

ProblemSink = Callable[[InputError], None]
StreamReader = Callable[[ByteStream, Path, RecordFormat | None, ProblemSink], Iterator[RawRecord]]
READERS: dict[Layout, StreamReader] = {
    "json_lines": read_json_lines,
    "text_lines": read_text_lines,
    "zeek_tsv": read_zeek_tsv,
    "auditd_lines": read_auditd_lines,
}


def iter_records(
    path: Path, *, fmt: RecordFormat | None = None, on_problem: ProblemSink
) -> Iterator[RawRecord]:
    """Yield the records of one file, plain or gzip, its format detected unless ``fmt`` given.

    A corrupt record is reported through ``on_problem`` (file and ``record N``/``line N``)
    and reading goes on; an unreadable or unrecognisable file is reported once. After
    ``MAX_PROBLEMS_PER_FILE`` bad records the file is abandoned (reported too).
    """
    source = str(path)
    try:
        layout = _layout(path, fmt)
    except OSError as err:
        on_problem(InputError(f"cannot read: {err}", source=source, place="file"))
        return
    if layout is None:
        on_problem(InputError("format not recognised", source=source, place="file"))
        return
    if layout == "evtx":
        yield from read_evtx(path, on_problem)
        return
    yield from _read_stream(path, READERS[layout], fmt, on_problem)


def _read_stream(
    path: Path, reader: StreamReader, fmt: RecordFormat | None, on_problem: ProblemSink
) -> Iterator[RawRecord]:
    source = str(path)
    counter = _ProblemCounter(on_problem)
    try:
        stream = open_bytes(path)
        try:
            yield from reader(stream, path, fmt, counter)
        finally:
            stream.close()
    except _TooManyProblems:
        on_problem(_abandoned(source))
    except (OSError, EOFError, zlib.error) as err:
        on_problem(InputError(f"cannot read: {err}", source=source, place="file"))


def _layout(path: Path, fmt: RecordFormat | None) -> Layout | None:
    """The reader to use: from the content, or from ``fmt`` where it fixes the layout."""
    if fmt == "evtx":
        return "evtx"
    head = _read_head(path)
    sniffed = sniff_layout(head)
    if fmt in ("json", "suricata"):
        return "json_lines"
    if fmt in ("syslog", "cef", "sysmon_linux"):
        return "text_lines"
    if fmt == "auditd":
        return "auditd_lines"
    if fmt == "zeek":
        return "zeek_tsv" if sniffed == "zeek_tsv" or starts_with_comment(head) else "json_lines"
    return sniffed


def _read_head(path: Path) -> bytes:
    """The first bytes of the (decompressed) file; a damaged gzip gives what precedes it.

    An EVTX file is known by its first 8 bytes, and nothing after them changes the layout:
    its head stops at the first 4 KiB, not 64 (a third of the time spent on each of the
    corpus's small EVTX files went to reading 64 KiB to sniff them).
    """
    stream = open_bytes(path)
    chunks: list[bytes] = []
    size = 0
    try:
        while size < SNIFF_BYTES:
            chunk = stream.read(4096)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if chunks[0].startswith(EVTX_MAGIC):
                break
    except (EOFError, zlib.error):
        pass
    finally:
        stream.close()
    return b"".join(chunks)


class _TooManyProblems(Exception):  # noqa: N818 - private control flow, never escapes
    """Raised by the counter to stop a reader that finds nothing but bad records."""


class _ProblemCounter:
    """Forwards problems and notices when a file has produced too many to be worth reading."""

    def __init__(self, sink: ProblemSink) -> None:
        self.sink = sink
        self.count = 0

    def __call__(self, problem: InputError) -> None:
        self.count += 1
        if self.count > MAX_PROBLEMS_PER_FILE:
            raise _TooManyProblems
        self.sink(problem)


def _abandoned(source: str) -> InputError:
    reason = f"more than {MAX_PROBLEMS_PER_FILE} bad records; rest of file skipped"
    return InputError(reason, source=source, place="file")

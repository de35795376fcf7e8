"""Text line reader for syslog (RFC 3164 and 5424) and CEF; parsing is the normaliser's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from shieldwall.ingest.lines import iter_lines
from shieldwall.ingest.opener import ByteStream
from shieldwall.ingest.sniff import classify_text
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef


def read_text_lines(
    stream: ByteStream,
    path: Path,
    forced: RecordFormat | None,
    on_problem: Callable[[InputError], None],
) -> Iterator[RawRecord]:
    """Yield each non-blank line as a record, classified per line as CEF or syslog.

    Classifying per line lets one file mix plain syslog with CEF carried over syslog, as
    collectors commonly write them.
    """
    source = str(path)
    for number, line in iter_lines(stream, source, on_problem):
        yield RawRecord(SourceRef(source, number), classify_text(line, forced), line)

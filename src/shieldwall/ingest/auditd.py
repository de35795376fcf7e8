"""Linux audit logs (``/var/log/audit/audit.log``): the records of one event, joined.

The kernel writes one event as several records (``SYSCALL``, ``EXECVE``, ``CWD``,
``PATH``…, ``PROCTITLE``), each a line ``type=T msg=audit(<seconds>.<ms>:<serial>): …``
carrying the same timestamp and serial. Rules about one event name fields of several of
its records (``type: EXECVE`` with ``a0``, ``exe`` of the ``SYSCALL``), so this reader
yields one record per event: its lines, joined by newlines, numbered by its first line.
Decoding the ``key=value`` pairs is the normaliser's (:mod:`shieldwall.normalise.auditd`).

auditd writes an event's records together, but events from several CPUs can interleave,
so a few events are kept open at once: an event ends at its ``EOE`` record, when it has
``MAX_RECORDS`` records, when ``MAX_OPEN`` newer events have started since, or at the end
of the file. A line that is not an audit record is reported with its line number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shieldwall.ingest.lines import iter_lines
from shieldwall.ingest.opener import ByteStream
from shieldwall.ingest.sniff import AUDIT_HEADER
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef

MAX_OPEN = 8
"""Events kept open for records still to come; the oldest is closed when a ninth starts."""
MAX_RECORDS = 256
"""Records in one event; a longer event is closed and the rest start another one."""
MAX_EVENT_BYTES = 4 << 20
"""Bytes of one event's lines (a single line is already bounded by the line reader)."""


@dataclass(slots=True)
class _Open:
    """The lines of one event so far."""

    first_line: int
    lines: list[str] = field(default_factory=list)
    size: int = 0


class _Events:
    """Events being assembled, oldest first (dicts keep insertion order)."""

    def __init__(self, source: str, fmt: RecordFormat) -> None:
        self._source = source
        self._format = fmt
        self._open: dict[str, _Open] = {}

    def add(self, number: int, key: str, kind: str, line: str) -> Iterator[RawRecord]:
        """Take one record; yield the events this closes."""
        current = self._open.get(key)
        if current is not None and (
            len(current.lines) >= MAX_RECORDS or current.size + len(line) > MAX_EVENT_BYTES
        ):
            yield self._close(key)
            current = None
        if kind == "EOE":
            if current is not None:
                yield self._close(key)
            return
        if current is None:
            if len(self._open) >= MAX_OPEN:
                yield self._close(next(iter(self._open)))
            current = self._open[key] = _Open(number)
        current.lines.append(line)
        current.size += len(line)

    def close_all(self) -> Iterator[RawRecord]:
        """The events still open, oldest first (at the end of the file)."""
        while self._open:
            yield self._close(next(iter(self._open)))

    def _close(self, key: str) -> RawRecord:
        event = self._open.pop(key)
        reference = SourceRef(self._source, event.first_line)
        return RawRecord(reference, self._format, "\n".join(event.lines))


def read_auditd_lines(
    stream: ByteStream,
    path: Path,
    forced: RecordFormat | None,
    on_problem: Callable[[InputError], None],
) -> Iterator[RawRecord]:
    """Yield one record per audit event (its lines joined); report lines that are not audit."""
    source = str(path)
    events = _Events(source, forced or "auditd")
    for number, line in iter_lines(stream, source, on_problem):
        match = AUDIT_HEADER.match(line)
        if match is None:
            reason = "not a Linux audit record (type=… msg=audit(<time>:<serial>): …)"
            on_problem(InputError(reason, source=source, place=f"line {number}"))
            continue
        key = (
            f"{match['node'] or ''}/{match['seconds']}.{match['fraction'] or ''}:{match['serial']}"
        )
        yield from events.add(number, key, match["type"], line)
    yield from events.close_all()

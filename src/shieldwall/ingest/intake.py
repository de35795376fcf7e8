"""A batch of telemetry sent to the centre: NDJSON lines into raw records, each bad line named.

A sensor posts newline-delimited JSON (optionally gzip). Each line is one record: a JSON
object (ECS, Winlogbeat, Suricata EVE, Zeek JSON, ...; classified like a JSON-lines file,
unless the request names the format) or a JSON string holding one text line (syslog or CEF).
A line that is not one of those is refused with its number and reason, and the others go
on: one bad line never costs a sensor its batch. The batch is measured before anything is
built from it (compressed and decompressed size, line count, line length), so a member
cannot make the centre hold more than the limits whatever it sends.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson

from shieldwall.ingest.sniff import classify_json, classify_text
from shieldwall.model.errors import InputError, LimitExceededError
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef

MAX_BATCH_BYTES = 16 << 20
"""A batch decompressed to more than this (16 MiB) is refused whole."""
MAX_BATCH_RECORDS = 20_000
"""Lines in one batch."""
MAX_RECORD_BYTES = 256 << 10
"""One line (256 KiB)."""


@dataclass(frozen=True, slots=True)
class RefusedLine:
    """A line of the batch that was not taken, and why (numbered from 1)."""

    line: int
    reason: str


@dataclass(slots=True)
class Intake:
    """What a batch holds: the records taken and the lines refused."""

    records: list[RawRecord] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)


def decompress(body: bytes, encoding: str, *, source: str) -> bytes:
    """The body as sent (``identity``) or gunzipped, never past :data:`MAX_BATCH_BYTES`."""
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise InputError(f"content encoding {encoding!r} is not gzip", source=source)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_BATCH_BYTES + 1)
    except zlib.error as exc:
        raise InputError(f"not valid gzip: {exc}", source=source) from exc
    if len(data) > MAX_BATCH_BYTES or inflater.unconsumed_tail:
        raise _too_large(f"decompressed batch larger than {MAX_BATCH_BYTES} bytes", source)
    return data


def _too_large(reason: str, source: str) -> LimitExceededError:
    return LimitExceededError(f"{reason}; split it", limit="max_batch_bytes", source=source)


def read_batch(data: bytes, *, source: str, forced: RecordFormat | None = None) -> Intake:
    """Each non-empty line as a raw record, or refused with its reason."""
    intake = Intake()
    for item in iter_batch(data, source=source, forced=forced):
        if isinstance(item, RefusedLine):
            intake.refused.append(item)
        else:
            intake.records.append(item)
    return intake


def iter_batch(
    data: bytes, *, source: str, forced: RecordFormat | None = None
) -> Iterator[RawRecord | RefusedLine]:
    """As :func:`read_batch`, one line at a time, in order (the batch limits checked first).

    The live intake takes each record to its bus message before reading the next, so the
    parsed objects of a line are freed before the next is parsed: a batch of parsed records
    held in full survives the garbage collector's young generations into the old one, and
    the full collections that then follow cost more than the parsing itself.
    """
    if len(data) > MAX_BATCH_BYTES:
        raise _too_large(f"batch larger than {MAX_BATCH_BYTES} bytes", source)
    lines = data.split(b"\n")
    if len(lines) > MAX_BATCH_RECORDS + 1:
        raise LimitExceededError(
            f"batch of more than {MAX_BATCH_RECORDS} lines; split it",
            limit="max_batch_records",
            source=source,
        )
    return _lines(lines, source, forced)


def _lines(
    lines: list[bytes], source: str, forced: RecordFormat | None
) -> Iterator[RawRecord | RefusedLine]:
    named = _Named.of(forced)
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():
            continue
        try:
            yield _record(line, number, source, named)
        except InputError as exc:
            yield RefusedLine(number, exc.reason)


def _record(line: bytes, number: int, source: str, named: _Named) -> RawRecord:
    if len(line) > MAX_RECORD_BYTES:
        raise InputError(f"line longer than {MAX_RECORD_BYTES} bytes (limit max_record_bytes)")
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}") from exc
    if type(value) is dict:
        if named.not_json:
            raise InputError(named.not_json)
        fmt = classify_json(value, named.forced)
        hint = str(value.get("_path", "")) if fmt == "zeek" else ""
        return RawRecord(SourceRef(source, number), fmt, value, hint)
    if isinstance(value, str):
        if "\n" in value or "\r" in value:
            raise InputError("a text record holds one line")
        if named.not_text:
            raise InputError(named.not_text)
        return RawRecord(SourceRef(source, number), classify_text(value, named.forced), value)
    raise InputError(f"a JSON {type(value).__name__}, not an object or a text line")


TEXT_FORMATS = ("syslog", "cef", "auditd", "sysmon_linux")
"""Formats sent as JSON strings, one line each (an audit record is then an event alone)."""


@dataclass(frozen=True, slots=True)
class _Named:
    """The format the request names, judged once per batch: why a JSON object line or a
    text line cannot be of it (empty when it can)."""

    forced: RecordFormat | None = None
    not_json: str = ""
    not_text: str = ""

    @classmethod
    def of(cls, forced: RecordFormat | None) -> _Named:
        if forced is None:
            return cls()
        if forced in TEXT_FORMATS:
            return cls(forced, not_json=f"format {forced} is sent as JSON strings, one line each")
        return cls(forced, not_text=f"format {forced} is sent as JSON objects")

"""Detection writers: JSONL (streamed, orjson), CSV (streamed) and a Rich table (buffered)."""

from __future__ import annotations

import csv
from typing import IO, Any, Literal, Protocol

import orjson
from rich.console import Console
from rich.table import Table

from shieldwall.cli.render.records import detection_record, utc_iso
from shieldwall.model.detection import Detection, Level

OutputFormat = Literal["jsonl", "csv", "table"]
FORMATS: tuple[OutputFormat, ...] = ("jsonl", "csv", "table")
CSV_COLUMNS = (
    "timestamp", "level", "rule_id", "rule_title", "kind", "techniques", "tactics", "tags",
    "source_path", "record_id", "count", "group", "matched", "event",
)  # fmt: skip
LEVEL_STYLES = {
    Level.INFORMATIONAL: "dim",
    Level.LOW: "cyan",
    Level.MEDIUM: "yellow",
    Level.HIGH: "red",
    Level.CRITICAL: "bold white on red",
}
_ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


class DetectionWriter(Protocol):
    """Writes detections one at a time; ``close`` flushes what a format had to hold back."""

    def write(self, detection: Detection) -> None: ...
    def close(self) -> None: ...


def _fallback(value: Any) -> Any:
    """What orjson cannot encode natively (bytes, sets, odd types) becomes text or a list."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(value: Any) -> bytes:
    """Compact JSON for one value, as the JSONL and CSV writers encode it."""
    return orjson.dumps(value, default=_fallback, option=_ORJSON_OPTIONS)


class JsonlWriter:
    """One JSON object per line, written as the detection arrives."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, detection: Detection) -> None:
        self._stream.write(to_json(detection_record(detection)) + b"\n")

    def close(self) -> None:
        self._stream.flush()


class CsvWriter:
    """One row per detection; nested values (matched, event, group) as JSON text."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._csv = csv.writer(stream)
        self._csv.writerow(CSV_COLUMNS)

    def write(self, detection: Detection) -> None:
        record = detection_record(detection)
        source = record["source"] or {}
        self._csv.writerow(
            (
                record["timestamp"] or "",
                record["level"],
                record["rule_id"],
                record["rule_title"],
                record["kind"],
                ";".join(t["id"] for t in record["attack"]),
                ";".join(sorted({tac for t in record["attack"] for tac in t["tactics"]})),
                ";".join(record["tags"]),
                source.get("path", ""),
                _text(source.get("record_id")),
                _text(record.get("count")),
                _json_text(record.get("group")),
                _json_text(record["matched"]),
                _json_text(record["event"]),
            )
        )

    def close(self) -> None:
        self._stream.flush()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _json_text(value: Any) -> str:
    return to_json(value).decode() if value else ""


class TableWriter:
    """A Rich table, printed when the scan ends (so it holds every detection until then)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._table = Table(title="Detections", show_lines=False)
        for column in ("Time (UTC)", "Level", "Rule", "ATT&CK", "Source"):
            self._table.add_column(column, overflow="fold")

    def write(self, detection: Detection) -> None:
        source = detection.source
        where = f"{source.path}#{source.record_id}" if source else f"{detection.count} events"
        self._table.add_row(
            utc_iso(detection.timestamp) or "",
            f"[{LEVEL_STYLES[detection.level]}]{detection.level.name.lower()}[/]",
            detection.rule_title,
            " ".join(t.id for t in detection.attack),
            where,
        )

    def close(self) -> None:
        self._console.print(self._table)


def open_writer(fmt: OutputFormat, binary: IO[bytes], text: IO[str]) -> DetectionWriter:
    """The writer for a format over the output stream (binary for JSONL, text otherwise)."""
    if fmt == "jsonl":
        return JsonlWriter(binary)
    if fmt == "csv":
        return CsvWriter(text)
    return TableWriter(Console(file=text, soft_wrap=False))

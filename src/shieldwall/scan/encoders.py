"""Detections as output bytes: the JSONL line and the CSV row of ``shieldwall scan``.

The encoders live here, not in the CLI, because with ``--jobs N`` the worker
processes encode the detections they find and send bytes to the parent (see
:mod:`shieldwall.scan.workers`): encoding is then done on every core, and a
detection crosses the process boundary as its output line instead of as objects the parent
would have to rebuild and encode alone. An encoder is a small picklable object; each
process builds its own writer state.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import orjson

from shieldwall.model.detection import AttackTechnique, Detection, Level
from shieldwall.model.event import Event, SourceRef

EncodedFormat = Literal["jsonl", "csv"]
CSV_COLUMNS = (
    "timestamp", "level", "rule_id", "rule_title", "kind", "techniques", "tactics", "tags",
    "source_path", "record_id", "count", "group", "matched", "event",
)  # fmt: skip
_ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


class DetectionEncoder(Protocol):
    """Turns one detection into its bytes of output; ``header`` starts the output."""

    def header(self) -> bytes: ...
    def encode(self, detection: Detection) -> bytes: ...


def utc_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` suffix; a naive time is taken as UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def source_record(source: SourceRef | None) -> dict[str, Any] | None:
    """``{"path", "record_id"}`` for a source reference."""
    if source is None:
        return None
    return {"path": source.path, "record_id": source.record_id}


def detection_record(detection: Detection) -> dict[str, Any]:
    """The fields of the JSONL line (and the CSV row) for one detection.

    A correlation detection carries ``kind`` (its type), ``group``, ``count`` and the source
    references of the events behind it instead of those events in full, so one line stays
    small however many events met the condition.
    """
    record: dict[str, Any] = {
        "rule_id": detection.rule_id,
        "rule_title": detection.rule_title,
        "level": detection.level.name.lower(),
        "kind": detection.kind,
        "tags": list(detection.tags),
        "attack": [
            {"id": t.id, "name": t.name, "tactics": list(t.tactics)} for t in detection.attack
        ],
        "timestamp": utc_iso(detection.timestamp),
        "source": source_record(detection.source),
        "matched": detection.matched,
        "event": detection.event.fields if detection.event is not None else None,
    }
    if detection.rule_name:
        record["rule_name"] = detection.rule_name
    if detection.kind != "rule":
        record["group"] = detection.group
        record["count"] = detection.count
        record["events"] = [_event_ref(event) for event in detection.events]
    return record


def _event_ref(event: Event) -> dict[str, Any]:
    return {
        "path": event.source.path,
        "record_id": event.source.record_id,
        "timestamp": utc_iso(event.timestamp),
    }


def _fallback(value: Any) -> Any:
    """What orjson cannot encode natively (bytes, sets, odd types) becomes text or a list."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(value: Any) -> bytes:
    """Compact JSON for one value, as the JSONL and CSV encoders write it."""
    return orjson.dumps(value, default=_fallback, option=_ORJSON_OPTIONS)


RuleFacts = tuple[str, str, Level, tuple[str, ...], tuple[AttackTechnique, ...], str | None]
MAX_RULE_PARTS = 8192
"""Rules whose JSON head and tail are kept (bounds memory; a scan fires a few hundred)."""


def _rule_facts(detection: Detection) -> RuleFacts:
    return (
        detection.rule_title,
        detection.rule_id,
        detection.level,
        detection.tags,
        detection.attack,
        detection.rule_name,
    )


class JsonlEncoder:
    """One JSON object per line; no header.

    A rule's keys (id, title, level, kind, tags, ATT&CK) are the same on each of its
    detections: their JSON is made once per rule and only the detection's own keys
    (timestamp, source, matched, event) are encoded per line. The bytes are those of
    :func:`detection_record`'s object, key for key.
    """

    def __init__(self) -> None:
        self._parts: dict[str, tuple[RuleFacts, bytes, bytes]] = {}

    def __reduce__(self) -> tuple[type[JsonlEncoder], tuple[()]]:
        """Pickles as a fresh encoder: the per-rule parts are per process."""
        return (JsonlEncoder, ())

    def header(self) -> bytes:
        return b""

    def encode(self, detection: Detection) -> bytes:
        if detection.kind != "rule":
            return to_json(detection_record(detection)) + b"\n"
        head, tail = self._rule_parts(detection)
        own = to_json(
            {
                "timestamp": utc_iso(detection.timestamp),
                "source": source_record(detection.source),
                "matched": detection.matched,
                "event": detection.event.fields if detection.event is not None else None,
            }
        )
        return head + own[1:-1] + tail

    def _rule_parts(self, detection: Detection) -> tuple[bytes, bytes]:
        """The bytes before and after the detection's own keys, made once per rule."""
        facts = _rule_facts(detection)
        kept = self._parts.get(detection.rule_id)
        if kept is not None and kept[0] == facts:
            return kept[1], kept[2]
        record = detection_record(detection)
        own = ("timestamp", "source", "matched", "event", "rule_name")
        head = to_json({key: value for key, value in record.items() if key not in own})
        name = record.get("rule_name")
        tail = (b',"rule_name":' + to_json(name) if name is not None else b"") + b"}\n"
        if len(self._parts) >= MAX_RULE_PARTS:
            self._parts.clear()
        self._parts[detection.rule_id] = (facts, head[:-1] + b",", tail)
        return head[:-1] + b",", tail


class CsvEncoder:
    """One row per detection in UTF-8, after a header row; nested values as JSON text."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer)

    def __reduce__(self) -> tuple[type[CsvEncoder], tuple[()]]:
        """Pickles as a fresh encoder: the buffer and writer are per process."""
        return (CsvEncoder, ())

    def header(self) -> bytes:
        return self._row(CSV_COLUMNS)

    def encode(self, detection: Detection) -> bytes:
        record = detection_record(detection)
        source = record["source"] or {}
        return self._row(
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

    def _row(self, values: tuple[Any, ...]) -> bytes:
        self._csv.writerow(values)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")


def encoder_for(fmt: EncodedFormat) -> DetectionEncoder:
    """The encoder of an output format."""
    return JsonlEncoder() if fmt == "jsonl" else CsvEncoder()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _json_text(value: Any) -> str:
    return to_json(value).decode() if value else ""

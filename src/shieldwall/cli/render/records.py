"""One detection as a plain JSON-ready mapping: the shape every output format starts from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shieldwall.model.detection import Detection
from shieldwall.model.event import Event, SourceRef


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

"""Alerts from members' own tools: taken as alerts, not detected again.

Two kinds are recognised in a sensor's batch: a line of ``shieldwall scan``'s JSONL output
(``rule_id``, ``rule_title``, ``level``, ``matched``) and a Suricata EVE ``alert`` record.
Each becomes a *tool alert*: checked and bounded here (a malformed one is a refused line,
like any bad line), carried on the bus with the batch, and stored by the detect worker as
an alert of the member whose token sent it — never of one the payload names — with no rule
run over it. Its idempotency key is the member and the digest of the record itself, so the
same alert sent again (in another batch, after a timeout) is one alert; duplicates (same
rule, member, host, user, window) are counted like every other alert's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson

from shieldwall.detect.entities import extract, techniques
from shieldwall.live.wire import TOOL_ALERT
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise.timestamps import parse_any

LEVELS = ("informational", "low", "medium", "high", "critical")
SURICATA_LEVELS = {1: "high", 2: "medium", 3: "low"}
"""Suricata's severity (1 is the most severe) as a Sigma level; others: informational."""
MAX_FIELDS = 500
SCAN_ALERT_KEYS = frozenset(["rule_id", "rule_title", "level", "matched"])
"""What makes a JSON line an alert of ``shieldwall scan`` (built once, not per line)."""
MAX_TAGS = 64


def tool_alert(record: RawRecord) -> dict[str, Any] | None:
    """The tool alert a record is, bounded; None when it is telemetry (InputError: malformed)."""
    payload = record.payload
    if not isinstance(payload, dict):
        return None
    if record.format == "suricata" and payload.get("event_type") == "alert":
        return _suricata(payload)
    if record.format == "json" and payload.keys() >= SCAN_ALERT_KEYS:
        return _scan(payload)
    return None


def tool_event(record: RawRecord, body: dict[str, Any]) -> Event:
    """The event carrying a tool alert on the bus (its evidence fields, its time)."""
    event = Event(
        fields=body["event"],
        source=record.source,
        timestamp=parse_any(body["time"]) if body["time"] else None,
        format=record.format,
    )
    event.extra[TOOL_ALERT] = body
    return event


def _scan(payload: dict[str, Any]) -> dict[str, Any]:
    level = payload.get("level")
    if level not in LEVELS:
        raise InputError(f"scan alert level must be one of {', '.join(LEVELS)}")
    tags = payload.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise InputError("scan alert tags must be a list of strings")
    kind = payload.get("kind") or "rule"
    return _body(
        rule_id=_text(payload.get("rule_id"), "rule_id", 200),
        title=_text(payload.get("rule_title"), "rule_title", 500),
        level=str(level),
        kind=_text(kind, "kind", 32),
        tags=[tag[:200] for tag in tags[:MAX_TAGS]],
        time=payload.get("timestamp"),
        matched=_mapping(payload.get("matched"), "matched"),
        event=_mapping(payload.get("event") or {}, "event"),
        digest=payload,
    )


def _suricata(payload: dict[str, Any]) -> dict[str, Any]:
    alert = payload.get("alert")
    if not isinstance(alert, dict):
        raise InputError("EVE alert record without an alert object")
    sid, gid = alert.get("signature_id"), alert.get("gid", 1)
    if not isinstance(sid, int) or not isinstance(gid, int):
        raise InputError("EVE alert without an integer signature_id")
    evidence = {k: v for k, v in payload.items() if k != "alert" and _scalar(v)}
    evidence.update({f"alert.{k}": v for k, v in alert.items() if _scalar(v)})
    category = alert.get("category")
    return _body(
        rule_id=f"suricata:{gid}:{sid}",
        title=_text(alert.get("signature") or f"Suricata {gid}:{sid}", "alert.signature", 500),
        level=_suricata_level(alert.get("severity")),
        kind="suricata",
        tags=[f"suricata.category:{category}"[:200]] if isinstance(category, str) else [],
        time=payload.get("timestamp"),
        matched={"alert.signature_id": sid, "alert.signature": alert.get("signature")},
        event=_bounded(evidence),
        digest=payload,
    )


def _suricata_level(severity: Any) -> str:
    if isinstance(severity, int) and not isinstance(severity, bool):
        return SURICATA_LEVELS.get(severity, "informational")
    return "informational"


def _body(*, digest: dict[str, Any], time: Any, **facts: Any) -> dict[str, Any]:
    if time is not None and (not isinstance(time, str) or parse_any(time) is None):
        raise InputError("alert timestamp is not a time")
    canonical = orjson.dumps(digest, option=orjson.OPT_SORT_KEYS)
    return {**facts, "time": time, "digest": hashlib.sha256(canonical).hexdigest()[:40]}


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"alert {name} must be a non-empty string")
    return value[:limit]


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"alert {name} must be an object")
    return _bounded({str(k): v for k, v in value.items()})


def _bounded(fields: dict[str, Any]) -> dict[str, Any]:
    return dict(list(fields.items())[:MAX_FIELDS])


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def alert_of(event: Event, dedup: Callable[[str, Entities], str]) -> NewAlert:
    """The alert a tool alert's event stands for; ``dedup(rule_id, entities)`` its dedup key.

    The key is the member and the record's digest: whatever redelivers or resends it, one
    alert (the bus sequence is not part of it, so the same record in two batches is one)."""
    body = event.extra[TOOL_ALERT]
    member = event.member or ""
    entities = extract(event.fields)
    tags = tuple(body["tags"])
    return NewAlert(
        key=f"{member}:tool:{body['digest']}",
        org_id=member,
        rule_id=body["rule_id"],
        rule_title=body["title"],
        level=body["level"],
        tags=tags,
        event_time=event.timestamp,
        source=f"{event.source.path}#{event.source.record_id}",
        matched=dict(body["matched"]),
        event=dict(event.fields),
        entities=entities,
        techniques=techniques(tags),
        kind=body["kind"],
        dedup_key=dedup(body["rule_id"], entities),
    )

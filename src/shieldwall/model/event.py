"""Telemetry as it flows: raw records from ingest, normalised events for detection.

Ingest and normalise never import each other: ingest yields :class:`RawRecord`, normalise
turns each into an :class:`Event`, and the runtime chains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

RecordFormat = Literal[
    "evtx", "json", "zeek", "suricata", "syslog", "cef", "auditd", "sysmon_linux"
]
"""Formats ingest can recognise. ``json`` covers plain, ECS and Winlogbeat/NXLog lines;
``auditd`` is Linux audit records (one event's records joined), ``sysmon_linux`` Sysmon for
Linux's XML events, in syslog lines or bare."""

FieldValue = Any
"""str, int, float, bool, None, or a list of those (JSON scalars after flattening)."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: the file and the record inside it (record id or line)."""

    path: str
    record_id: int | None = None


@dataclass(slots=True)
class RawRecord:
    """One record as read, before normalisation. ``payload`` is parsed JSON or a text line."""

    source: SourceRef
    format: RecordFormat
    payload: dict[str, Any] | str
    hint: str = ""
    """Sub-format detail the reader knows (e.g. the Zeek log path ``conn``)."""


@dataclass(slots=True)
class Event:
    """One normalised event: a flat mapping of field name to value.

    Windows events use the names Sigma rules use (``EventID``, ``Channel``, ``Image``);
    other formats use dotted ECS-style names (``source.ip``).
    """

    fields: dict[str, FieldValue]
    source: SourceRef
    timestamp: datetime | None = None
    format: RecordFormat = "json"
    member: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

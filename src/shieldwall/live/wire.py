"""An event on the bus: the normalised fields, where they came from, and whose they are.

The member travels inside the message, set by the intake from the sensor's token; the
detect worker reads it from there and from nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, SourceRef

TOOL_ALERT = "tool_alert"
"""An event's ``extra`` key holding an alert of the member's own tool (not matched again)."""

EVENTS_SUBJECT = "events.normalised"
"""The stream of members' normalised events, read by the detect workers."""


def events_subject(namespace: str = "") -> str:
    """The events subject of a deployment (``<namespace>.events.normalised``), so several
    deployments (or test runs) can share one NATS cluster without reading each other's."""
    return f"{namespace}.{EVENTS_SUBJECT}" if namespace else EVENTS_SUBJECT


ALERTS_SUBJECT = "alerts.raised"
"""The stream of alert hits the detect workers stored, read by the fuse workers."""


def alerts_subject(namespace: str = "") -> str:
    """The alerts subject of a deployment (``<namespace>.alerts.raised``)."""
    return f"{namespace}.{ALERTS_SUBJECT}" if namespace else ALERTS_SUBJECT


MAX_HITS_PER_MESSAGE = 500
"""Alert hits one ``alerts.raised`` message names at most (a batch's hits travel together:
one message each would cost the broker and both stages more than fusing them)."""


def encode_hits(hits: Sequence[tuple[str, str]]) -> bytes:
    """The bus payload naming stored alert hits, each by its key and member (the store
    holds the rest)."""
    return orjson.dumps({"hits": hits})


def decode_hits(payload: bytes) -> list[tuple[str, str]]:
    """The hit keys and members a payload names (a message of one hit, as written before
    hits travelled together, too); InputError if it names none or is not one."""
    try:
        body = orjson.loads(payload)
        named = body["hits"] if "hits" in body else [[body["hit"], body["member"]]]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"not an alert message: {exc}", source="bus") from exc
    if type(named) is not list or not 0 < len(named) <= MAX_HITS_PER_MESSAGE:
        raise InputError("not an alert message: no hits, or too many", source="bus")
    hits: list[tuple[str, str]] = []
    for item in named:
        if type(item) is not list or len(item) != 2:
            raise InputError("not an alert message: a hit is not [key, member]", source="bus")
        key, member = item
        if not isinstance(key, str) or not key or not isinstance(member, str):
            raise InputError("not an alert message: no hit key or member", source="bus")
        hits.append((key, member))
    return hits


def encode_event(event: Event, member: str) -> bytes:
    """The bus payload of one event of ``member``.

    A UTC time is written by orjson itself (the same text as ``isoformat``); the hot path
    of the intake makes no Python call it can avoid.
    """
    stamp = event.timestamp
    body: dict[str, Any] = {
        "member": member,
        "format": event.format,
        "fields": event.fields,
        "source": [event.source.path, event.source.record_id],
        "time": stamp if stamp is None or stamp.tzinfo is UTC else stamp.isoformat(),
    }
    extra = event.extra
    if extra:
        declared = extra.get("logsource")
        if declared:
            body["logsource"] = declared
        tool = extra.get(TOOL_ALERT)
        if tool:
            body[TOOL_ALERT] = tool
    return orjson.dumps(body)


def decode_event(payload: bytes) -> Event:
    """The event a payload carries, with ``member`` set; InputError if it is not one."""
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not an event message: {exc}", source="bus") from exc
    return event_of(body)


def event_of(body: Any) -> Event:
    """The event one decoded message body describes; InputError if it is not one."""
    try:
        path, record_id = body["source"]
        stamp = datetime.fromisoformat(body["time"]) if body["time"] else None
        fields = body["fields"]
        return Event(
            fields=fields if type(fields) is dict else dict(fields),
            source=SourceRef(str(path), record_id if isinstance(record_id, int) else None),
            timestamp=stamp,
            format=body["format"],
            member=str(body["member"]),
            extra={key: body[key] for key in _EXTRA if key in body} if len(body) > 5 else {},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not an event message: {exc}", source="bus") from exc


_EXTRA = ("logsource", TOOL_ALERT)
"""Keys a message may hold beside its five (``member``, ``format``, ``fields``, ``source``,
``time``), carried into :attr:`Event.extra`."""

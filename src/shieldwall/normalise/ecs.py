"""JSON lines that are not Zeek or Suricata: plain or ECS documents, and Windows events.

Windows events are recognised by shape and given Sigma's Windows names (``format="evtx"``):
the ``evtx`` package's own JSON (``{"Event": {"System": ...}}``, as ``evtx_dump`` writes
it), Winlogbeat and NXLog. Anything else is flattened to dotted names, lists kept as lists.
ECS web, DNS and network events get Sigma's generic names beside their own (``c-uri``,
``query``, ``dst_ip``...: :mod:`.sigma_web`, :mod:`.sigma_dns`, :mod:`.sigma_firewall`).
The timestamp is ``@timestamp`` (ECS), else ``timestamp``, else ``time``, when present.
"""

from __future__ import annotations

from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise import sigma_dns, sigma_firewall, sigma_web
from shieldwall.normalise.aliases import add_aliases
from shieldwall.normalise.evtx import normalise_evtx
from shieldwall.normalise.flatten import FlattenError, flatten
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.timestamps import parse_any
from shieldwall.normalise.winjson import (
    is_nxlog_windows,
    is_winlogbeat,
    nxlog_fields,
    winlogbeat_fields,
)

TIMESTAMP_FIELDS = ("@timestamp", "timestamp", "time")
WINDOWS_TIMESTAMP_FIELDS = (
    "TimeCreated_SystemTime",
    "TimeCreated",
    "TimeCreated.SystemTime",
    "@timestamp",
    "EventReceivedTime",
    "timestamp",
)
"""Where flat Windows JSON keeps its time: NXLog's ``EventTime`` (renamed), PowerShell's
``TimeCreated`` (text or ``/Date(ms)/``), evtx-style ``TimeCreated.SystemTime``, a shipper's
``@timestamp``, NXLog's ``EventReceivedTime`` last (when the collector got it)."""


def normalise_json(record: RawRecord) -> Event:
    """One JSON object to an Event: Windows names for Windows events, dotted names otherwise."""
    obj = record.payload
    if not isinstance(obj, dict):
        raise record_error(record, "payload is not a JSON object")
    event = obj.get("Event")
    if type(event) is dict and "System" in event:
        return normalise_evtx(record)
    try:
        if is_winlogbeat(obj):
            return _windows(record, winlogbeat_fields(obj))
        if is_nxlog_windows(obj):
            return _windows(record, nxlog_fields(obj))
        fields = flatten(obj)
    except FlattenError as err:
        raise record_error(record, str(err)) from err
    _add_taxonomy(fields)
    return Event(fields, record.source, first_timestamp(fields, TIMESTAMP_FIELDS), "json")


def _add_taxonomy(fields: dict[str, Any]) -> None:
    """Sigma's generic names for ECS web, DNS and network events, when their fields are there."""
    if "dns.question.name" in fields:
        add_aliases(fields, sigma_dns.ECS)
    if "url.original" in fields or "url.full" in fields or "http.request.method" in fields:
        sigma_web.add_web_names(fields, sigma_web.ECS)
    if "source.ip" in fields or "destination.ip" in fields:
        add_aliases(fields, sigma_firewall.ECS)


def _windows(record: RawRecord, fields: dict[str, Any]) -> Event:
    if type(fields.get("EventID")) is not int:
        reason = f"Windows event without an integer EventID: {fields.get('EventID')!r}"
        raise record_error(record, reason)
    stamp = first_timestamp(fields, WINDOWS_TIMESTAMP_FIELDS)
    return Event(fields, record.source, stamp, "evtx")


def first_timestamp(fields: dict[str, Any], names: tuple[str, ...]) -> Any:
    """The first of ``names`` present that parses as a timestamp, as UTC; else None."""
    for name in names:
        if name in fields:
            moment = parse_any(fields[name])
            if moment is not None:
                return moment
    return None

"""Suricata EVE JSON to an Event: EVE's own names flattened (``alert.signature``), ECS aliases.

``src_ip``/``src_port``/``dest_ip``/``dest_port``/``proto`` are copied to ``source.ip``,
``source.port``, ``destination.ip``, ``destination.port`` and ``network.transport`` (lower
case, as ECS has it); ``event_type`` to ``event.dataset`` as ``suricata.<type>``. The
timestamp is ``timestamp`` (``2019-01-01T00:00:00.123456+0000``).
"""

from __future__ import annotations

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise.flatten import FlattenError, flatten
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.timestamps import parse_any

ECS_ALIASES = {
    "src_ip": "source.ip",
    "src_port": "source.port",
    "dest_ip": "destination.ip",
    "dest_port": "destination.port",
}


def normalise_suricata(record: RawRecord) -> Event:
    """One EVE record to an Event."""
    if not isinstance(record.payload, dict):
        raise record_error(record, "EVE payload is not an object")
    try:
        fields = flatten(record.payload)
    except FlattenError as err:
        raise record_error(record, str(err)) from err
    for eve_name, ecs_name in ECS_ALIASES.items():
        if eve_name in fields:
            fields[ecs_name] = fields[eve_name]
    proto = fields.get("proto")
    if type(proto) is str:
        fields["network.transport"] = proto.lower()
    if "event_type" in fields:
        fields["event.dataset"] = f"suricata.{fields['event_type']}"
    return Event(fields, record.source, parse_any(fields.get("timestamp")), "suricata")

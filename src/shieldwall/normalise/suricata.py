"""Suricata EVE JSON to an Event: EVE's own names flattened (``alert.signature``), ECS aliases.

``src_ip``/``src_port``/``dest_ip``/``dest_port``/``proto`` are copied to ``source.ip``,
``source.port``, ``destination.ip``, ``destination.port`` and ``network.transport`` (lower
case, as ECS has it); ``event_type`` to ``event.dataset`` as ``suricata.<type>``.
Sigma's generic names are added beside EVE's own: firewall names on every record
(:mod:`.sigma_firewall`), DNS names on ``dns`` records (:mod:`.sigma_dns`), proxy and
webserver names on ``http`` records (:mod:`.sigma_web`). The timestamp is ``timestamp``
(``2019-01-01T00:00:00.123456+0000``).
"""

from __future__ import annotations

from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise import sigma_dns, sigma_firewall, sigma_web
from shieldwall.normalise.aliases import add_aliases
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
    _add_taxonomy(fields)
    return Event(fields, record.source, parse_any(fields.get("timestamp")), "suricata")


def _add_taxonomy(fields: dict[str, Any]) -> None:
    """The generic categories' names: firewall names on every record, DNS and web by type."""
    add_aliases(fields, sigma_firewall.EVE)
    kind = fields.get("event_type")
    if kind == "dns":
        add_aliases(fields, sigma_dns.EVE)
    elif kind == "http":
        sigma_web.add_web_names(fields, sigma_web.EVE)

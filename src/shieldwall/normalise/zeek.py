"""Zeek logs (TSV decoded by ingest, or JSON) to an Event.

Zeek's own names are kept (``id.orig_h``, ``query``, ``uid``): Sigma's Zeek rules
(``product: zeek``) are written against them. A few ECS names are added beside them so
cross-source rules and the picture can use one spelling: ``source.ip``/``source.port``,
``destination.ip``/``destination.port``, ``network.transport`` (``proto``) and
``event.dataset`` (``zeek.<path>``). Records of the kinds that are a generic Sigma category
get that category's names too (``dns``: :mod:`.sigma_dns`; ``http``: :mod:`.sigma_web`;
``conn``: :mod:`.sigma_firewall`). The timestamp is ``ts`` (epoch seconds, or ISO text
when Zeek writes JSON with ISO timestamps).
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
    "id.orig_h": "source.ip",
    "id.orig_p": "source.port",
    "id.resp_h": "destination.ip",
    "id.resp_p": "destination.port",
    "proto": "network.transport",
}


def normalise_zeek(record: RawRecord) -> Event:
    """One Zeek record to an Event with Zeek names plus the ECS aliases."""
    if not isinstance(record.payload, dict):
        raise record_error(record, "Zeek payload is not an object")
    try:
        fields = flatten(record.payload)
    except FlattenError as err:
        raise record_error(record, str(err)) from err
    for zeek_name, ecs_name in ECS_ALIASES.items():
        if zeek_name in fields:
            fields[ecs_name] = fields[zeek_name]
    path = record.hint or str(fields.get("_path", ""))
    if path:
        fields["event.dataset"] = f"zeek.{path}"
    _add_taxonomy(fields, path)
    return Event(fields, record.source, parse_any(fields.get("ts")), "zeek")


def _add_taxonomy(fields: dict[str, Any], path: str) -> None:
    """The generic categories' names for the log kinds routed to them (``sources.py``)."""
    if path == "dns":
        add_aliases(fields, sigma_dns.ZEEK)
    elif path == "http":
        sigma_web.add_web_names(fields, sigma_web.ZEEK)
    elif path == "conn":
        add_aliases(fields, sigma_firewall.ZEEK)

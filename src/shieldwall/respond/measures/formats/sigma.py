"""Sigma rules, one per kind present: connections to blocked addresses, DNS queries for
blocked domains, proxy requests for blocked URLs, processes with blocked hashes.

Written through a YAML dumper (every value a scalar it quotes as needed), so no value can
add a key;
rule ids are derived from the member, subscription and kind, stable across versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.stix import stable_id
from shieldwall.respond.measures.items import Item

_HASHES = {MeasureKind.MD5: "MD5", MeasureKind.SHA1: "SHA1", MeasureKind.SHA256: "SHA256"}


def write_sigma(items: Sequence[Item], context: BuildContext) -> bytes:
    """A multi-document YAML file of Sigma rules (none when there is no item)."""
    rules = []
    for group, logsource, field in (
        ("ip", {"category": "network_connection"}, "DestinationIp|cidr"),
        ("domain", {"category": "dns"}, "query"),
        ("url", {"category": "proxy"}, "c-uri|startswith"),
        ("hash", {"category": "process_creation"}, "Hashes|contains"),
    ):
        values = _values(items, group)
        if values:
            detection: dict[str, Any] = {"selection": {field: values}}
            if group == "domain":  # the domain itself, or any name under it
                subdomains = ["." + value for value in values]
                detection["selection_sub"] = {"query|endswith": subdomains}
            detection["condition"] = "1 of selection*"
            rules.append(_rule(context, group, logsource, detection))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when built with it
    return yaml.dump_all(rules, Dumper=dumper, sort_keys=False).encode()


def _values(items: Sequence[Item], group: str) -> list[str]:
    if group == "ip":
        return [_cidr(i.value) for i in items if i.kind is MeasureKind.IP]
    if group == "domain":
        return [i.value for i in items if i.kind is MeasureKind.DOMAIN]
    if group == "url":
        return [i.value for i in items if i.kind is MeasureKind.URL]
    return [f"{_HASHES[i.kind]}={i.value.upper()}" for i in items if i.kind in _HASHES]


def _cidr(value: str) -> str:
    return value if "/" in value else f"{value}/{128 if ':' in value else 32}"


def _rule(
    context: BuildContext, group: str, logsource: dict[str, str], detection: dict[str, Any]
) -> dict[str, Any]:
    ident = stable_id(f"sigma/{context.member}/{context.subscription}/{group}")
    return {
        "title": f"Shieldwall protective measures: {group} ({context.member})",
        "id": str(ident),
        "status": "experimental",
        "description": f"Blocked by the coalition; list version {context.version}.",
        "author": "Shieldwall",
        "date": context.created.strftime("%Y-%m-%d"),
        "logsource": logsource,
        "detection": detection,
        "level": "high",
    }

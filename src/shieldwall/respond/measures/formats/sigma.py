"""Sigma rules, one per kind present: connections to blocked addresses, DNS queries for
blocked domains, proxy requests for blocked URLs, processes with blocked hashes.

Every scalar that carries data is written as a JSON string (YAML's double-quoted form,
escapes and all), so no value can add a key or a document; the layout around them is
fixed text. (A YAML dumper took a second for 100,000 values; this takes a tenth.)
Rule ids are derived from the member, subscription and kind, stable across versions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import orjson

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.memo import Memo
from shieldwall.respond.measures.formats.stix import stable_id
from shieldwall.respond.measures.items import Item

_HASHES = {MeasureKind.MD5: "MD5", MeasureKind.SHA1: "SHA1", MeasureKind.SHA256: "SHA256"}
_GROUPS = (
    ("ip", "network_connection", "DestinationIp|cidr"),
    ("domain", "dns", "query"),
    ("url", "proxy", "c-uri|startswith"),
    ("hash", "process_creation", "Hashes|contains"),
)
_GROUP_OF = {
    MeasureKind.IP: 0,
    MeasureKind.DOMAIN: 1,
    MeasureKind.URL: 2,
    MeasureKind.MD5: 3,
    MeasureKind.SHA1: 3,
    MeasureKind.SHA256: 3,
}
_LINES: Memo[tuple[int, str, str]] = Memo()
"""Per item: its rule (an index of :data:`_GROUPS`), its selection line, its sub-domain line."""


def write_sigma(items: Sequence[Item], context: BuildContext) -> bytes:
    """A multi-document YAML file of Sigma rules (none when there is no item)."""
    found = _LINES.pieces(items, _lines)
    lines = [[line for group, line, _ in found if group == n] for n in range(len(_GROUPS))]
    subdomains = [sub for _, _, sub in found if sub]
    rules = []
    for (group, category, field), values in zip(_GROUPS, lines, strict=True):
        if values:
            selections = [(field, values)]
            if group == "domain":  # the domain itself, or any name under it
                selections.append(("query|endswith", subdomains))
            rules.append(_rule(context, group, category, selections))
    return "---\n".join(rules).encode()


def _lines(item: Item) -> tuple[int, str, str]:
    group = _GROUP_OF[item.kind]
    value = item.value
    if group == 0:
        value = value if "/" in value else f"{value}/{128 if ':' in value else 32}"
    elif group == 3:
        value = f"{_HASHES[item.kind]}={value.upper()}"
    sub = f"    - {_q('.' + value)}" if group == 1 else ""
    return group, f"    - {_q(value)}", sub


def _rule(
    context: BuildContext, group: str, category: str, selections: list[tuple[str, list[str]]]
) -> str:
    """One rule; ``selections`` are (field, its value lines already quoted)."""
    ident = stable_id(f"sigma/{context.member}/{context.subscription}/{group}")
    lines = [
        f"title: {_q(f'Shieldwall protective measures: {group} ({context.member})')}",
        f"id: {ident}",
        "status: experimental",
        f"description: {_q(f'Blocked by the coalition; list version {context.version}.')}",
        "author: Shieldwall",
        f"date: {_q(context.created.strftime('%Y-%m-%d'))}",
        "logsource:",
        f"  category: {category}",
        "detection:",
    ]
    for name, (field, values) in zip(("selection", "selection_sub"), selections, strict=False):
        lines.append(f"  {name}:")
        lines.append(f"    {_q(field)}:")
        lines.extend(values)
    lines.extend(["  condition: 1 of selection*", "level: high", ""])
    return "\n".join(lines)


def _q(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string form, all of it ASCII."""
    return orjson.dumps(text).decode() if text.isascii() else json.dumps(text)

"""Copy a record's own field under the name a Sigma rule uses for it, keeping the original.

A table maps each taxonomy name to the record's names that may hold it, first match wins.
A source ``a[].b`` reads key ``b`` of each object in the list ``a`` (EVE and ECS keep DNS
answers as a list of objects); the result is the list of those values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AliasTable = Mapping[str, tuple[str, ...]]
"""Taxonomy name → the record's names that may carry it, in order of preference."""


def add_aliases(fields: dict[str, Any], table: AliasTable) -> None:
    """Add each taxonomy name the record has a source for; a name already present is kept."""
    for name, sources in table.items():
        if name in fields:
            continue
        for source in sources:
            value = _read(fields, source)
            if value is not None:
                fields[name] = value
                break


def _read(fields: Mapping[str, Any], source: str) -> Any:
    list_name, marker, key = source.partition("[].")
    if not marker:
        return fields.get(source)
    items = fields.get(list_name)
    if type(items) is not list:
        return None
    found = [item[key] for item in items if type(item) is dict and item.get(key) is not None]
    return found or None

"""A STIX 2.1 bundle: one indicator per value, with a STIX pattern the value cannot escape.

Ids are UUIDv4-shaped (STIX 2.1 wants version 4) but derived from a SHA-256 of the kind and
value (:func:`stable_id`), so a value keeps its id across versions; string
literals escape ``\\`` and ``'`` as STIX patterning requires. ``created`` and ``modified``
are the item's own time, so an unchanged value is an unchanged object.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.items import Item

NAMESPACE = "shieldwall/measures/v1/"


def stable_id(name: str) -> uuid.UUID:
    """A version-4 UUID whose random bits are the SHA-256 of ``name``: stable, well-formed."""
    return uuid.UUID(bytes=hashlib.sha256((NAMESPACE + name).encode()).digest()[:16], version=4)


_PATHS = {
    MeasureKind.DOMAIN: "domain-name:value",
    MeasureKind.URL: "url:value",
    MeasureKind.MD5: "file:hashes.MD5",
    MeasureKind.SHA1: "file:hashes.'SHA-1'",
    MeasureKind.SHA256: "file:hashes.'SHA-256'",
}


def write_stix(items: Sequence[Item], context: BuildContext) -> bytes:
    """The bundle (its id is fixed by the member, subscription and version)."""
    bundle_id = stable_id(f"{context.member}/{context.subscription}/{context.version}")
    objects = [_indicator(item, context) for item in items]
    bundle = {"type": "bundle", "id": f"bundle--{bundle_id}", "objects": objects}
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2)


def _indicator(item: Item, context: BuildContext) -> dict[str, Any]:
    ident = stable_id(f"{item.kind.value}:{item.value}")
    stamp = _stamp(item.since) if item.since else context.stamp
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{ident}",
        "created": stamp,
        "modified": stamp,
        "name": f"Block {item.kind.value} {item.value}"[:250],
        "indicator_types": ["malicious-activity"],
        "pattern": pattern_of(item),
        "pattern_type": "stix",
        "valid_from": stamp,
        "confidence": item.confidence,
    }
    if item.valid_until is not None and (item.since is None or item.valid_until > item.since):
        obj["valid_until"] = _stamp(item.valid_until)
    if item.reason:
        obj["description"] = item.reason
    return obj


def pattern_of(item: Item) -> str:
    """The STIX pattern matching the item's value."""
    if item.kind is MeasureKind.IP:
        path = "ipv6-addr:value" if ":" in item.value else "ipv4-addr:value"
    else:
        path = _PATHS[item.kind]
    literal = item.value.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{path} = '{literal}']"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

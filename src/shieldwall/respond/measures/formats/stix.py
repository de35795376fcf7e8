"""A STIX 2.1 bundle: one indicator per value, with a STIX pattern the value cannot escape.

Ids are UUIDv4-shaped (STIX 2.1 wants version 4) but derived from a SHA-256 of the kind and
value (:func:`stable_id`), so a value keeps its id across versions; string
literals escape ``\\`` and ``'`` as STIX patterning requires. ``created`` and ``modified``
are the item's own time, so an unchanged value is an unchanged object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.memo import Memo
from shieldwall.respond.measures.items import Item

NAMESPACE = "shieldwall/measures/v1/"
_OBJECTS: Memo[bytes] = Memo()
_DICTS: Memo[dict[str, Any]] = Memo()
_INDENT = b"\n    "


def stable_id(name: str) -> str:
    """A version-4 UUID whose random bits are the SHA-256 of ``name``: stable, well-formed.

    Written out by hand (the same as ``uuid.UUID(bytes=..., version=4)``): this runs once
    per value of every list built, and the object form costs more than the hash.
    """
    h = hashlib.sha256((NAMESPACE + name).encode()).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


_PATHS = {
    MeasureKind.DOMAIN: "domain-name:value",
    MeasureKind.URL: "url:value",
    MeasureKind.MD5: "file:hashes.MD5",
    MeasureKind.SHA1: "file:hashes.'SHA-1'",
    MeasureKind.SHA256: "file:hashes.'SHA-256'",
}


def write_stix(items: Sequence[Item], context: BuildContext) -> bytes:
    """The bundle (its id is fixed by the member, subscription and version).

    Laid out as ``orjson`` indents the whole bundle, object by object: each indicator is
    dumped once per item (:mod:`.memo`; one without its own time takes the build's, so it
    is dumped afresh every time) and indented into place.
    """
    bundle_id = stable_id(f"{context.member}/{context.subscription}/{context.version}")
    stamps: dict[datetime, str] = {}

    def dumped(item: Item) -> bytes:
        obj = orjson.dumps(_indicator(item, context, stamps), option=orjson.OPT_INDENT_2)
        return b"    " + obj.replace(b"\n", _INDENT)

    parts = _OBJECTS.pieces(items, dumped)
    for n in [n for n, item in enumerate(items) if item.since is None]:
        parts[n] = dumped(items[n])  # printed with this build's time: never from the table
    if not parts:
        bundle = {"type": "bundle", "id": f"bundle--{bundle_id}", "objects": []}
        return orjson.dumps(bundle, option=orjson.OPT_INDENT_2)
    opening = (
        b'{\n  "type": "bundle",\n  "id": "bundle--' + bundle_id.encode() + b'",\n  "objects": [\n'
    )
    return opening + b",\n".join(parts) + b"\n  ]\n}"


def indicator_objects(items: Sequence[Item], context: BuildContext) -> list[dict[str, Any]]:
    """The indicators of the bundle as objects (a member's TAXII collection serves them;
    kept per item like the file's pieces, shared by every reader: never change one)."""
    stamps: dict[datetime, str] = {}
    found = _DICTS.pieces(items, lambda item: _indicator(item, context, stamps))
    for n in [n for n, item in enumerate(items) if item.since is None]:
        found[n] = _indicator(items[n], context, stamps)  # this build's time: not kept
    return found


def _indicator(item: Item, context: BuildContext, stamps: dict[datetime, str]) -> dict[str, Any]:
    ident = stable_id(f"{item.kind.value}:{item.value}")
    stamp = _stamp(item.since, stamps) if item.since else context.stamp
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
        obj["valid_until"] = _stamp(item.valid_until, stamps)
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


def _stamp(moment: datetime, seen: dict[datetime, str]) -> str:
    """RFC 3339 UTC, milliseconds; remembered, as many items share their time."""
    found = seen.get(moment)
    if found is None:
        utc = moment.astimezone(UTC)
        found = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
        seen[moment] = found
    return found

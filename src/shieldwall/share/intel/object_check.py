"""A fast check for the indicators feeds are made of, held to ``stix2`` by a property test.

``stix2.parse`` builds a full Python object for each inbound object: for an indicator that
is about 0.14 ms, most of a write's cost once the pattern is read (:mod:`.pattern_read`).
Feeds are mostly indicators of one shape: the common properties, plain values, a few
references. :func:`is_plain_indicator` recognises that shape by a table of property
checks, each at least as strict as the library's, so anything it accepts the library
accepts too; whatever it does not recognise (another property, an unusual value, an
extension) goes to ``stix2.parse`` as before, which gives the reason for any refusal.

The pattern itself is not judged here: the caller reads it first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

_REFERENCE = re.compile(
    r"(?P<type>[a-z][a-z0-9-]*)--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)
"""An id with an RFC 4122 UUID in lower case (the variant ``stix2`` insists on)."""

_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<f>\d{1,6}))?Z"
)


def _ref_of(kind: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        match = _REFERENCE.fullmatch(value) if isinstance(value, str) else None
        return match is not None and match["type"] == kind

    return check


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_text(item) for item in value)


def _confidence(value: Any) -> bool:
    return type(value) is int and 0 <= value <= 100


def _marking_refs(value: Any) -> bool:
    is_marking = _ref_of("marking-definition")
    return isinstance(value, list) and bool(value) and all(is_marking(item) for item in value)


def timestamp(value: Any) -> datetime | None:
    """A STIX timestamp in the one form the check accepts, else None."""
    match = _TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return datetime(
            int(match["y"]), int(match["mo"]), int(match["d"]),
            int(match["h"]), int(match["mi"]), int(match["s"]),
            int((match["f"] or "0").ljust(6, "0")),
        )  # fmt: skip
    except ValueError:
        return None


_INDICATOR: Mapping[str, Callable[[Any], bool]] = {
    "type": lambda value: value == "indicator",
    "spec_version": lambda value: value == "2.1",
    "id": _ref_of("indicator"),
    "created_by_ref": _ref_of("identity"),
    "created": lambda value: timestamp(value) is not None,
    "modified": lambda value: timestamp(value) is not None,
    "name": _text,
    "description": _text,
    "indicator_types": _texts,
    "pattern": _text,
    "pattern_type": _text,
    "pattern_version": _text,
    "valid_from": lambda value: timestamp(value) is not None,
    "valid_until": lambda value: timestamp(value) is not None,
    "revoked": lambda value: isinstance(value, bool),
    "labels": _texts,
    "confidence": _confidence,
    "lang": _text,
    "object_marking_refs": _marking_refs,
}
_REQUIRED = (
    *("type", "spec_version", "id", "created", "modified"),
    *("pattern", "pattern_type", "valid_from"),
)


def is_plain_indicator(obj: Mapping[str, Any]) -> bool:
    """True when ``obj`` is an indicator of the common shape, valid for ``stix2``."""
    if any(key not in obj for key in _REQUIRED):
        return False
    if any(key not in _INDICATOR or not _INDICATOR[key](value) for key, value in obj.items()):
        return False
    return _in_order(obj)


def _in_order(obj: Mapping[str, Any]) -> bool:
    """``modified`` not before ``created``; ``valid_until`` after ``valid_from``."""
    created, modified = timestamp(obj["created"]), timestamp(obj["modified"])
    if created is None or modified is None or modified < created:
        return False
    if "valid_until" not in obj:
        return True
    start, end = timestamp(obj["valid_from"]), timestamp(obj["valid_until"])
    return start is not None and end is not None and end > start

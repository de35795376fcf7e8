"""Serving an object without the references its reader may not see, never with them.

An object that points at another the principal may not see would otherwise reveal that the
other exists (MISP CVE-2020-14969 is exactly this leak). Every property whose name ends in
``_ref`` or ``_refs``, at any depth (``created_by_ref``, ``object_refs``,
``sighting_of_ref``, ``where_sighted_refs``, ``src_ref`` inside extensions, ...), is
filtered through a visibility predicate. Marking refs (``object_marking_refs``,
``marking_ref``) are kept: they are the handling rules the reader must honour.

Some objects are meaningless without a reference: a relationship without its source or
target, a sighting without what was sighted, a report, grouping, note or opinion whose
``object_refs`` end up empty. Such a result is marked not servable, and the caller
withholds the whole object rather than serve an invalid or misleading one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.model.errors import InputError

MARKING_REF_FIELDS = frozenset({"object_marking_refs", "marking_ref"})
"""Reference fields never stripped: they name marking definitions, not content."""

REQUIRED_REFS: Mapping[str, tuple[str, ...]] = {
    "relationship": ("source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
    "report": ("object_refs",),
    "grouping": ("object_refs",),
    "note": ("object_refs",),
    "opinion": ("object_refs",),
    "observed-data": ("object_refs",),
}
"""Top-level references without which an object type must not be served."""

Visible = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Stripped:
    """The object as the reader may see it, and what was taken out."""

    object: dict[str, Any]
    removed: tuple[str, ...]
    """The ids that were removed, in the order met (for audit, never for the reader)."""
    servable: bool
    """False when a reference the object type cannot do without was removed."""


def strip_references(obj: Mapping[str, Any], visible: Visible, *, source: str = "") -> Stripped:
    """A copy of the object without the references ``visible`` refuses."""
    removed: list[str] = []
    place = str(obj.get("id", ""))
    stripped = _strip_mapping(obj, visible, removed, source, place)
    return Stripped(stripped, tuple(removed), _servable(obj, stripped))


def _strip_mapping(
    obj: Mapping[str, Any], visible: Visible, removed: list[str], source: str, place: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key in MARKING_REF_FIELDS:
            out[key] = value
        elif key.endswith("_ref"):
            if not isinstance(value, str):
                raise InputError(f"{key} is not an id", source=source, place=place)
            if visible(value):
                out[key] = value
            else:
                removed.append(value)
        elif key.endswith("_refs"):
            kept = _strip_list(key, value, visible, removed, source, place)
            if kept:
                out[key] = kept
        else:
            out[key] = _strip_value(value, visible, removed, source, place)
    return out


def _strip_list(
    key: str, value: Any, visible: Visible, removed: list[str], source: str, place: str
) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{key} is not a list of ids", source=source, place=place)
    kept = [ref for ref in value if visible(ref)]
    if len(kept) != len(value):
        removed.extend(ref for ref in value if ref not in kept)
    return kept


def _strip_value(value: Any, visible: Visible, removed: list[str], source: str, place: str) -> Any:
    if isinstance(value, Mapping):
        return _strip_mapping(value, visible, removed, source, place)
    if isinstance(value, list | tuple):
        return [_strip_value(item, visible, removed, source, place) for item in value]
    return value


def _servable(original: Mapping[str, Any], stripped: Mapping[str, Any]) -> bool:
    required = REQUIRED_REFS.get(str(original.get("type", "")), ())
    return all(key in stripped or key not in original for key in required)

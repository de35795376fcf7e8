"""Containers marked like MISP marks them: unmarked contents take their container's TLP.

MISP's own STIX exports (misp-stix) mark the ``grouping`` or ``report`` that stands for
an event and leave what it names unmarked. Read strictly, those contents would take the
producer's default (TLP:AMBER+STRICT) and the container would be refused as wider than
its contents. So, in one batch, an object that carries no marking at all and is named by
a marked container of the same author (its ``created_by_ref`` is the container's, or it
has none: observables never do) takes the container's pinned TLP markings, most
restrictive first when several containers name it. An ``observed-data`` counts as the
container of its observables. Only the stored audience changes: the object's body is
kept exactly as sent. Contents then carry the container's level, so "a derived object is
never wider than its contents" still holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shieldwall.policy.markings import PINNED

CONTAINERS = ("report", "grouping", "observed-data")
"""Types whose ``object_refs`` name what they contain (in the order they are resolved)."""


def inherited_markings(objects: Sequence[Any]) -> dict[str, tuple[str, ...]]:
    """Object id → the pinned TLP marking ids it inherits from its containers."""
    by_id = {obj["id"]: obj for obj in objects if isinstance(obj, dict) and _is_id(obj)}
    found: dict[str, tuple[str, ...]] = {}
    for kind in CONTAINERS:
        for container in (o for o in by_id.values() if o.get("type") == kind):
            refs = _tlp_refs(container) or found.get(container["id"], ())
            if not refs:
                continue
            for ref in _names(container):
                content = by_id.get(ref)
                if content is not None and _inherits(content, container):
                    found[ref] = tuple(dict.fromkeys((*found.get(ref, ()), *refs)))
    return found


def _is_id(obj: Mapping[str, Any]) -> bool:
    return isinstance(obj.get("id"), str)


def _names(container: Mapping[str, Any]) -> list[str]:
    refs = container.get("object_refs")
    return [ref for ref in refs if isinstance(ref, str)] if isinstance(refs, list) else []


def _tlp_refs(obj: Mapping[str, Any]) -> tuple[str, ...]:
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return ()
    return tuple(ref for ref in refs if isinstance(ref, str) and ref in PINNED)


def _inherits(content: Mapping[str, Any], container: Mapping[str, Any]) -> bool:
    if content.get("object_marking_refs") or content.get("granular_markings"):
        return False  # marked by its producer: its own marking speaks
    if content.get("type") == "marking-definition":
        return False
    author = content.get("created_by_ref")
    return author is None or author == container.get("created_by_ref")

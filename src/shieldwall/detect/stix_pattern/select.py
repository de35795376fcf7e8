"""A bracketed expression against one observation: which root objects pass it.

An observation is a mapping of object id to cyber observable (a dict with ``type``), as
in an observed-data's ``objects``. A comparison selects, from each object of its type, the
values its property path reaches (``*`` reaches every list item; a ``_ref`` property
reaches the object it names in the same observation, a ``_refs`` property the list of
them) and passes that root object when any value satisfies the predicate. ``AND`` keeps
the root objects passing both sides, ``OR`` those passing either, as ``stix2-matcher``
does: ``[ipv4-addr:value = 'a' AND ipv4-addr:value = 'b']`` needs one object with both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.detect.stix_pattern.nodes import Both, Comparison, Either, Step, Test

Objects = Mapping[str, Mapping[str, Any]]


def passing(comparison: Comparison, objects: Objects) -> set[str]:
    """Ids of the root objects passing the comparison (empty: the observation fails)."""
    if isinstance(comparison, Test):
        return {
            ident
            for ident, obj in objects.items()
            if obj.get("type") == comparison.object_type
            and any(comparison.predicate(v) for v in select(obj, comparison.path, objects))
        }
    left = passing(comparison.left, objects)
    if isinstance(comparison, Both):
        return left & passing(comparison.right, objects) if left else left
    assert isinstance(comparison, Either)
    return left | passing(comparison.right, objects)


def select(obj: Mapping[str, Any], path: tuple[Step, ...], objects: Objects) -> list[Any]:
    found: list[Any] = [obj]
    for step in path:
        found = [item for value in found for item in _step(value, step, objects)]
        if not found:
            break
    return found


def _step(value: Any, step: Step, objects: Objects) -> list[Any]:
    if step is None:
        return list(value) if isinstance(value, list) else []
    if isinstance(step, int):
        return [value[step]] if isinstance(value, list) and 0 <= step < len(value) else []
    if not isinstance(value, Mapping) or step not in value:
        return []
    found = value[step]
    if step.endswith("_ref"):
        return [objects[found]] if isinstance(found, str) and found in objects else []
    if step.endswith("_refs"):
        if not isinstance(found, list):
            return []
        named = [objects[ref] for ref in found if isinstance(ref, str) and ref in objects]
        return [named] if named else []
    return [found]

"""A member's stream patterns, indexed so an event meets only those it could advance.

An event advances a pattern only when it passes one of its bracketed expressions. Most
expressions name a value the event must hold (``ipv4-addr:value = '…'``, ``IN (…)``):
such an expression is *anchored* on ``(object type, path, value)`` keys. A pattern whose
every bracketed expression is anchored is looked up by the event's values at those
paths (a dict lookup per distinct path); the others are checked against every event
holding one of their object types. The index only narrows: the expressions themselves
still decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from shieldwall.detect.stix_pattern.nodes import Both, Comparison, Either, Step, Test
from shieldwall.detect.stix_pattern.select import Objects, select
from shieldwall.detect.stix_pattern.stream import StreamPattern

Key = tuple[str, tuple[Step, ...]]
Anchors = dict[Key, set[Any]]


def anchors(comparison: Comparison) -> Anchors | None:
    """Keys one of which an observation passing ``comparison`` must hold (None: any)."""
    if isinstance(comparison, Test):
        if not comparison.anchors:
            return None
        return {(comparison.object_type, comparison.path): set(comparison.anchors)}
    left, right = anchors(comparison.left), anchors(comparison.right)
    if isinstance(comparison, Both):
        return left if left is not None else right
    assert isinstance(comparison, Either)
    if left is None or right is None:
        return None
    for key, found in right.items():
        left.setdefault(key, set()).update(found)
    return left


class PatternSet:
    """A member's patterns (iterable as they are) with the index of their anchors."""

    def __init__(self, patterns: Iterable[StreamPattern]) -> None:
        self.patterns = tuple(patterns)
        self._index: dict[Key, dict[Any, list[int]]] = {}
        self._always: list[int] = []
        for number, pattern in enumerate(self.patterns):
            self._add(number, pattern)

    def _add(self, number: int, pattern: StreamPattern) -> None:
        keys: Anchors = {}
        for leaf in pattern.leaves:
            found = anchors(leaf.comparison)
            if found is None:
                self._always.append(number)
                return
            for key, values in found.items():
                keys.setdefault(key, set()).update(values)
        for key, values in keys.items():
            by_value = self._index.setdefault(key, {})
            for value in values:
                by_value.setdefault(value, []).append(number)

    def __iter__(self) -> Iterator[StreamPattern]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def candidates(self, objects: Objects) -> list[StreamPattern]:
        """The patterns this observation could advance, in their order."""
        by_type: dict[str, list[Mapping[str, Any]]] = {}
        for obj in objects.values():
            by_type.setdefault(str(obj.get("type")), []).append(obj)
        numbers = {n for n in self._always if not self.patterns[n].types.isdisjoint(by_type)}
        for (object_type, path), by_value in self._index.items():
            for obj in by_type.get(object_type, ()):
                for value in select(obj, path, objects):
                    try:
                        numbers.update(by_value.get(value, ()))
                    except TypeError:  # an unhashable value (a list, a dict) equals no anchor
                        continue
        return [self.patterns[number] for number in sorted(numbers)]

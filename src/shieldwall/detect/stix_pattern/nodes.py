"""The compiled form of a STIX 2.1 pattern: comparisons inside brackets, observations around.

A comparison (:class:`Test`) holds its object type, its property path and a predicate on
one selected value, already built (literal converted, expression compiled on RE2), so
matching a stream never parses or compiles again. Observation expressions
(:class:`Observe`) combine the bracketed ones (:class:`Leaf`) with ``AND``, ``OR``,
``FOLLOWEDBY`` and the qualifiers ``WITHIN``, ``REPEATS`` and ``START … STOP``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Step = str | int | None
"""A path step: a key, a list index, or ``None`` for ``[*]``."""

Predicate = Callable[[object], bool]


@dataclass(frozen=True, slots=True)
class Test:
    """One comparison: ``object_type:path <operator> literal`` (``NOT`` folded in).

    ``anchors``: for ``=`` and ``IN`` over text or numbers, the values the property must
    equal one of (an index key); empty otherwise.
    """

    object_type: str
    path: tuple[Step, ...]
    operator: str
    predicate: Predicate
    anchors: tuple[str | int | float, ...] = ()


@dataclass(frozen=True, slots=True)
class Both:
    """Comparison ``AND``: one object (the same root object) passes both sides."""

    left: Comparison
    right: Comparison


@dataclass(frozen=True, slots=True)
class Either:
    """Comparison ``OR``: an object passes either side."""

    left: Comparison
    right: Comparison


Comparison = Test | Both | Either


@dataclass(frozen=True, slots=True)
class Leaf:
    """A bracketed observation expression, numbered in the order of the pattern."""

    index: int
    comparison: Comparison


ObserveKind = Literal["and", "or", "followedby", "within", "repeats", "startstop"]


@dataclass(frozen=True, slots=True)
class Observe:
    """An observation operator or a qualifier over one or two observation expressions.

    ``seconds`` for ``within``, ``times`` for ``repeats``, ``start``/``stop`` for
    ``startstop``; the right side is None for a qualifier.
    """

    kind: ObserveKind
    left: Node
    right: Node | None = None
    seconds: float = 0.0
    times: int = 0
    start: datetime | None = None
    stop: datetime | None = None


Node = Leaf | Observe


def leaves(node: Node) -> list[Leaf]:
    """Every bracketed expression of a tree, in pattern order."""
    if isinstance(node, Leaf):
        return [node]
    found = leaves(node.left)
    if node.right is not None:
        found += leaves(node.right)
    return found


def tests(comparison: Comparison) -> list[Test]:
    """Every comparison of a bracketed expression."""
    if isinstance(comparison, Test):
        return [comparison]
    return tests(comparison.left) + tests(comparison.right)


def is_plain(node: Node) -> bool:
    """True when a watchlist holds the pattern as it is: bracketed expressions joined by
    ``OR``, each one comparison for equality, membership or CIDR subset, none negated."""
    if isinstance(node, Leaf):
        return isinstance(node.comparison, Test) and node.comparison.operator in PLAIN
    if node.kind != "or" or node.right is None:
        return False
    return is_plain(node.left) and is_plain(node.right)


PLAIN = frozenset({"=", "IN", "ISSUBSET"})
"""The operators the watchlist reads (``share/intel/watch.py``), without ``NOT``."""

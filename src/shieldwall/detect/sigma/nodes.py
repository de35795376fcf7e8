"""The compiled form of a rule's condition: a small tree of nodes.

Each node compiles once into a plain closure (``EventView -> bool``) for the hot path, and
can say which literal an event must contain for it to match (the prefilter requirement)
and which EventIDs it requires (used to route the rule).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldwall.detect.sigma.context import EventView

Test = Callable[[EventView], bool]
Requirement = frozenset[tuple[str | None, str]]
"""(field, literal) pairs, one of which must occur in the event; field None = any field."""

MIN_LITERAL = 2
"""Shorter ASCII literals filter nothing useful; a value with none longer is unconstrained.
A single non-ASCII character (an emoji, a homoglyph) is rare enough to index."""


def usable_literal(literal: str) -> bool:
    """Worth indexing: long enough, or a single non-ASCII character."""
    return len(literal) >= MIN_LITERAL or (len(literal) == 1 and not literal.isascii())


def requirement_strength(req: Requirement) -> tuple[int, int]:
    """Order requirements: the longest shortest literal first, then the fewest literals."""
    return (min(len(lit) for _, lit in req), -len(req))


class Node(ABC):
    """One node of a compiled condition."""

    @abstractmethod
    def compile(self) -> Test:
        """The closure that evaluates this node on an event view."""

    @abstractmethod
    def requirement(self) -> Requirement | None:
        """Literals one of which any matching event contains, or None if unknown."""

    @abstractmethod
    def event_ids(self) -> frozenset[int] | None:
        """EventIDs a matching event must have, or None if unconstrained."""

    @abstractmethod
    def leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        """Every leaf, with whether it sits under an odd number of negations."""


@dataclass(eq=False)
class Leaf(Node):
    """A test of one field (or of every value, for a keyword search)."""

    field: str | None
    test: Test
    literals: frozenset[str] | None = None
    ids: frozenset[int] | None = None
    spec: dict[str, Any] | None = None
    """How the test was built, in plain values (see :mod:`.leaves`); stored by the cache."""

    def compile(self) -> Test:
        return self.test

    def requirement(self) -> Requirement | None:
        if self.literals is None or not all(usable_literal(lit) for lit in self.literals):
            return None
        return frozenset((self.field, lit) for lit in self.literals)

    def event_ids(self) -> frozenset[int] | None:
        return self.ids

    def leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        yield self, negated


@dataclass(eq=False)
class Constant(Node):
    """A fixed outcome (e.g. ``all of x*`` over nothing)."""

    value: bool

    def compile(self) -> Test:
        value = self.value
        return lambda _view: value

    def requirement(self) -> Requirement | None:
        return None if self.value else frozenset()

    def event_ids(self) -> frozenset[int] | None:
        return None if self.value else frozenset()

    def leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        yield from ()


@dataclass(eq=False)
class AllOf(Node):
    """Logical AND."""

    children: Sequence[Node] = field(default_factory=list)

    def compile(self) -> Test:
        tests = tuple(child.compile() for child in self.children)
        if len(tests) == 1:
            return tests[0]
        if len(tests) == 2:
            first, second = tests
            return lambda view: first(view) and second(view)

        def all_of(view: EventView) -> bool:
            for test in tests:  # noqa: SIM110 - a loop beats all(<genexpr>) on the hot path
                if not test(view):
                    return False
            return True

        return all_of

    def requirement(self) -> Requirement | None:
        known = [req for child in self.children if (req := child.requirement()) is not None]
        if not known:
            return None
        return max(known, key=requirement_strength) if all(known) else frozenset()

    def event_ids(self) -> frozenset[int] | None:
        known = [ids for child in self.children if (ids := child.event_ids()) is not None]
        if not known:
            return None
        return frozenset.intersection(*known)

    def leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        for child in self.children:
            yield from child.leaves(negated)


@dataclass(eq=False)
class AnyOf(Node):
    """Logical OR."""

    children: Sequence[Node] = field(default_factory=list)

    def compile(self) -> Test:
        tests = tuple(child.compile() for child in self.children)
        if len(tests) == 1:
            return tests[0]
        if len(tests) == 2:
            first, second = tests
            return lambda view: first(view) or second(view)

        def any_of(view: EventView) -> bool:
            for test in tests:  # noqa: SIM110 - a loop beats any(<genexpr>) on the hot path
                if test(view):
                    return True
            return False

        return any_of

    def requirement(self) -> Requirement | None:
        union: set[tuple[str | None, str]] = set()
        for child in self.children:
            req = child.requirement()
            if req is None:
                return None
            union |= req
        return frozenset(union)

    def event_ids(self) -> frozenset[int] | None:
        union: set[int] = set()
        for child in self.children:
            ids = child.event_ids()
            if ids is None:
                return None
            union |= ids
        return frozenset(union)

    def leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        for child in self.children:
            yield from child.leaves(negated)


@dataclass(eq=False)
class Negation(Node):
    """Logical NOT."""

    child: Node

    def compile(self) -> Test:
        test = self.child.compile()
        return lambda view: not test(view)

    def requirement(self) -> Requirement | None:
        return None

    def event_ids(self) -> frozenset[int] | None:
        return None

    def leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        yield from self.child.leaves(not negated)


def all_of(children: Sequence[Node]) -> Node:
    """AND of the children, without a wrapper for one child."""
    return children[0] if len(children) == 1 else AllOf(list(children))


def any_of(children: Sequence[Node]) -> Node:
    """OR of the children, without a wrapper for one child."""
    return children[0] if len(children) == 1 else AnyOf(list(children))

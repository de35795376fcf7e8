"""Observation expressions over a bounded set of observations: is there a binding?

A binding is a set of observations, one per bracketed expression it satisfies, and no
observation twice, as ``stix2-matcher`` binds them (its tuples keep an order we do not
need: every test below looks only at which observations and at what times).

- ``[…]``: each observation that passes the bracketed expression.
- ``A AND B``: a binding of A and a disjoint binding of B.
- ``A OR B``: a binding of either.
- ``A FOLLOWEDBY B``: disjoint, and no observation of A later than any of B (``<=``).
- ``A REPEATS n TIMES``: n pairwise disjoint bindings of A.
- ``A WITHIN s SECONDS``: the binding's first and last times at most s apart.
- ``A START t1 STOP t2``: every time in ``[t1, t2)``.

The search is bounded: at most :data:`MAX_BINDINGS` bindings per sub-expression and
:data:`MAX_STEPS` candidate pairs per evaluation; past either the evaluation stops and
reports itself cut (:attr:`Search.cut`), so a hostile ``REPEATS`` over many observations
costs a fixed amount, at the price of possibly missing a match (counted, never silent).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from shieldwall.detect.stix_pattern.nodes import Leaf, Node, Observe

MAX_BINDINGS = 1024
"""Bindings kept for one sub-expression."""

MAX_STEPS = 20_000
"""Candidate combinations examined in one evaluation."""

Binding = frozenset[int]


def micros(moment: datetime) -> int:
    """Event time as whole microseconds since the epoch (exact comparisons, no floats)."""
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


class Search:
    """One evaluation: observation id -> (time in microseconds, leaves it passes)."""

    def __init__(self, seen: Mapping[int, tuple[int, frozenset[int]]]) -> None:
        self._seen = seen
        self.steps = 0
        self.cut = False

    def bindings(self, node: Node) -> set[Binding]:
        """Every binding of ``node`` (up to the bounds)."""
        if isinstance(node, Leaf):
            return {frozenset((o,)) for o, (_, hit) in self._seen.items() if node.index in hit}
        inner = self.bindings(node.left)
        if node.right is not None:
            return self._join(node, inner, self.bindings(node.right))
        return self._qualify(node, inner)

    def _join(self, node: Observe, left: set[Binding], right: set[Binding]) -> set[Binding]:
        if node.kind == "or":
            return self._capped(iter(left | right))
        return self._capped(self._pairs(left, right, follows=node.kind == "followedby"))

    def _pairs(
        self, left: set[Binding], right: set[Binding], *, follows: bool
    ) -> Iterator[Binding]:
        for a in left:
            for b in right:
                if not self._step():
                    return
                if a.isdisjoint(b) and (not follows or self._before(a, b)):
                    yield a | b

    def _qualify(self, node: Observe, inner: set[Binding]) -> set[Binding]:
        if node.kind == "within":
            span = round(node.seconds * 1_000_000)
            return {b for b in inner if self._span(b) <= span}
        if node.kind == "startstop":
            assert node.start is not None and node.stop is not None
            start, stop = micros(node.start), micros(node.stop)
            return {b for b in inner if all(start <= self._time(o) < stop for o in b)}
        return self._capped(self._repeats(sorted(inner, key=sorted), node.times))

    def _repeats(self, options: list[Binding], times: int) -> Iterator[Binding]:
        """Unions of ``times`` pairwise disjoint bindings, by depth-first search."""
        stack: list[tuple[int, Binding, int]] = [(0, frozenset(), 0)]
        while stack and not self.cut:
            start, union, chosen = stack.pop()
            if chosen == times:
                yield union
                continue
            for index in range(start, len(options)):
                if not self._step():
                    return
                if union.isdisjoint(options[index]):
                    stack.append((index + 1, union | options[index], chosen + 1))

    def _capped(self, found: Iterator[Binding]) -> set[Binding]:
        kept: set[Binding] = set()
        for binding in found:
            kept.add(binding)
            if len(kept) >= MAX_BINDINGS:
                self.cut = True
                break
        return kept

    def _step(self) -> bool:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.cut = True
        return not self.cut

    def _time(self, observation: int) -> int:
        return self._seen[observation][0]

    def _span(self, binding: Binding) -> int:
        times = [self._time(o) for o in binding]
        return max(times) - min(times)

    def _before(self, first: Binding, then: Binding) -> bool:
        return max(self._time(o) for o in first) <= min(self._time(o) for o in then)

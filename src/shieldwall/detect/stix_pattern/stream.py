"""STIX patterns over a stream: per member and per pattern, a bounded window of observations.

A :class:`StreamPattern` is compiled once per indicator (read-only, shared by every member
that may see it). :class:`PatternStates` keeps, for each ``(member, indicator)``, only the
observations that passed one of the pattern's bracketed expressions, each with its event
time: at most :data:`MAX_KEPT` of them, none older than the pattern's window before the
newest event time seen (the top ``WITHIN``, else :data:`MAX_WINDOW_SECONDS`). Time is
the events' own, never the clock, so a replay gives the same answers.

A pattern matches when the observation just added completes a binding (see
:mod:`.bindings`): every binding ever found is found the moment its last observation
arrives, so over a stream nothing is missed that the window holds, and nothing fires
twice for the same set. States are keyed by member: one member's events never enter
another member's window. The number of states is bounded (:data:`MAX_STATES`, the least
recently touched dropped first).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shieldwall.detect.stix_pattern.bindings import Search, micros
from shieldwall.detect.stix_pattern.nodes import Leaf, Node, Observe, is_plain, leaves, tests
from shieldwall.detect.stix_pattern.parse import parse
from shieldwall.detect.stix_pattern.select import passing

MAX_KEPT = 64
"""Observations kept per member and pattern."""

MAX_WINDOW_SECONDS = 3600.0
"""The longest window a pattern sees, whatever it says (one without ``WITHIN``: this)."""

MAX_STATES = 4096
"""``(member, pattern)`` windows held at once (the detect worker holds one member's)."""


@dataclass(frozen=True, slots=True)
class StreamPattern:
    """An indicator's pattern, compiled for the stream."""

    indicator_id: str
    text: str
    level: str
    tree: Node
    leaves: tuple[Leaf, ...]
    types: frozenset[str]
    window: int
    """Microseconds an observation stays in the window."""
    digest: str = ""
    """The pattern text's digest: a saved window belongs to one version of the pattern."""

    @property
    def plain(self) -> bool:
        """A pattern the watchlist already matches as it is (no need for a window)."""
        return is_plain(self.tree)


def compile_pattern(
    indicator_id: str, text: str, level: str = "medium", *, max_window: float = MAX_WINDOW_SECONDS
) -> StreamPattern:
    """Compile one indicator's pattern; :class:`~shieldwall.model.errors.InputError` when
    it is over the budgets or not STIX 2.1."""
    tree = parse(text)
    found = tuple(leaves(tree))
    seconds = max_window
    if isinstance(tree, Observe) and tree.kind == "within":
        seconds = min(tree.seconds, max_window)
    types = frozenset(t.object_type for leaf in found for t in tests(leaf.comparison))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    window = round(seconds * 1e6)
    return StreamPattern(indicator_id, text, level, tree, found, types, window, digest)


@dataclass(slots=True)
class _Window:
    kept: deque[tuple[int, int, frozenset[int]]] = field(default_factory=deque)
    newest: int = 0
    serial: int = 0


@dataclass(slots=True)
class StreamCounts:
    """What the pattern engine did: matches, evaluations cut by the bounds, late events."""

    matches: int = 0
    cut: int = 0
    late: int = 0


class PatternStates:
    """The windows of every member and pattern; :meth:`observe` feeds one event."""

    def __init__(self, *, max_kept: int = MAX_KEPT, max_states: int = MAX_STATES) -> None:
        self._windows: OrderedDict[tuple[str, str, str], _Window] = OrderedDict()
        self._max_kept = max_kept
        self._max_states = max_states
        self.counts = StreamCounts()

    def __len__(self) -> int:
        return len(self._windows)

    def observe(
        self,
        member: str,
        patterns: Sequence[StreamPattern],
        objects: Mapping[str, Mapping[str, Any]],
        when: datetime,
        *,
        ident: int | None = None,
    ) -> list[StreamPattern]:
        """The member's patterns this observation completes.

        ``ident`` names the observation (the event's number on the bus): one already in a
        window (a redelivery) is not added again, so it never counts twice toward a
        ``REPEATS``. Without it each call is a new observation.
        """
        present = {obj.get("type") for obj in objects.values()}
        moment = micros(when)
        found = []
        for pattern in patterns:
            if pattern.types.isdisjoint(present):
                continue
            hits = frozenset(
                leaf.index for leaf in pattern.leaves if passing(leaf.comparison, objects)
            )
            if hits and self._add(member, pattern, moment, hits, ident):
                found.append(pattern)
        self.counts.matches += len(found)
        return found

    def _add(
        self,
        member: str,
        pattern: StreamPattern,
        moment: int,
        hits: frozenset[int],
        ident: int | None,
    ) -> bool:
        key = (member, pattern.indicator_id, pattern.digest)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(newest=moment)
            while len(self._windows) > self._max_states:
                self._windows.popitem(last=False)
        self._windows.move_to_end(key)
        if moment < window.newest - pattern.window:
            self.counts.late += 1
            return False
        if ident is not None and any(serial == ident for serial, _, _ in window.kept):
            return self._completes(pattern, window, ident)  # a redelivery: the same answer
        window.newest = max(window.newest, moment)
        window.serial = ident if ident is not None else window.serial + 1
        window.kept.append((window.serial, moment, hits))
        self._expire(window, pattern.window)
        return self._completes(pattern, window, window.serial)

    def _expire(self, window: _Window, span: int) -> None:
        oldest = window.newest - span
        ordered = sorted(window.kept, key=lambda item: (item[1], item[0]))
        ordered = [item for item in ordered if item[1] >= oldest][-self._max_kept :]
        window.kept = deque(sorted(ordered))

    def _completes(self, pattern: StreamPattern, window: _Window, newest: int) -> bool:
        if not any(serial == newest for serial, _, _ in window.kept):
            return False
        search = Search({serial: (moment, hits) for serial, moment, hits in window.kept})
        found = any(newest in binding for binding in search.bindings(pattern.tree))
        self.counts.cut += search.cut
        return found

    def export(self) -> dict[str, Any]:
        """Every window as JSON (for the store: :meth:`restored` reads it back)."""
        return {
            "windows": [
                [*key, window.newest, window.serial, [[s, m, sorted(h)] for s, m, h in window.kept]]
                for key, window in self._windows.items()
            ]
        }

    @classmethod
    def restored(cls, saved: Mapping[str, Any] | None, **bounds: int) -> PatternStates:
        """States from :meth:`export`'s JSON (empty for None or what it cannot read)."""
        states = cls(**bounds)
        for item in (saved or {}).get("windows", ()):
            try:
                member, ident, digest, newest, serial, kept = item
                window = _Window(newest=int(newest), serial=int(serial))
                window.kept = deque((int(s), int(m), frozenset(map(int, h))) for s, m, h in kept)
            except (TypeError, ValueError):
                continue
            states._windows[(str(member), str(ident), str(digest))] = window
        return states

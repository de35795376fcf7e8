"""Per-group state: a time-ordered window of detections, and an in-order chain tracker.

A :class:`GroupWindow` holds the detections of one group that are still inside the
timespan, sorted by time, with a running aggregate. Detections usually arrive in time order,
so adding is an append; a slightly late one is inserted in place (binary search). Leaving
the window is popping from the front (a moving head index, compacted now and then), so
each detection is added and removed once: amortised O(1) per detection (R10).

A :class:`SequenceGroup` tracks temporal_ordered progress (R4) in O(steps) memory.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable
from typing import NamedTuple

from shieldwall.detect.correlate.aggregates import Aggregate
from shieldwall.model.detection import Detection

_COMPACT_AT = 64


class Entry(NamedTuple):
    """One detection in a window. ``seq`` breaks time ties so entries never compare further."""

    time: int
    seq: int
    value: Hashable
    detection: Detection


class GroupWindow:
    """The detections of one group inside the timespan, sorted by time, with an aggregate."""

    __slots__ = ("_entries", "_head", "aggregate")

    def __init__(self, aggregate: Aggregate) -> None:
        self._entries: list[Entry] = []
        self._head = 0
        self.aggregate = aggregate

    def __len__(self) -> int:
        return len(self._entries) - self._head

    @property
    def oldest(self) -> int:
        """Time of the oldest entry (the window must not be empty)."""
        return self._entries[self._head].time

    @property
    def newest(self) -> int:
        """Time of the newest entry (the window must not be empty)."""
        return self._entries[-1].time

    def add(self, entry: Entry) -> None:
        """Put an entry in time order (an append unless it arrived late)."""
        if not len(self) or entry.time >= self._entries[-1].time:
            self._entries.append(entry)
        else:
            bisect.insort(self._entries, entry, lo=self._head)
        self.aggregate.add(entry.value)

    def evict_before(self, horizon: int) -> None:
        """Drop entries older than ``horizon`` (an entry exactly at it stays: both ends count)."""
        entries = self._entries
        head = self._head
        while head < len(entries) and entries[head].time < horizon:
            self.aggregate.remove(entries[head].value)
            head += 1
        if head >= _COMPACT_AT and head * 2 >= len(entries):
            del entries[:head]
            head = 0
        self._head = head

    def live(self) -> list[Entry]:
        """The entries now in the window, oldest first."""
        return self._entries[self._head :]

    def clear(self) -> None:
        """Empty the window (after it fired, or when the stream went back in time)."""
        self._entries.clear()
        self._head = 0
        self.aggregate.clear()


class Chain(NamedTuple):
    """A partial in-order match: when it started, its last step's time, its detections."""

    start: int
    last: int
    detections: tuple[Detection, ...]


class SequenceGroup:
    """temporal_ordered progress of one group.

    ``chains[i]`` is the partial match that has completed steps ``0..i`` and started latest
    (the one that stays inside the timespan longest), so a later start never loses to an
    earlier one and memory is one chain per step.
    """

    __slots__ = ("chains", "newest")

    def __init__(self, steps: int) -> None:
        self.chains: list[Chain | None] = [None] * steps
        self.newest = 0

    def advance(self, positions: list[int], detection: Detection, time: int, span: int) -> int:
        """Record a detection at the given step positions; return the steps done in order."""
        self.newest = max(self.newest, time)
        horizon = time - span
        for step in positions:  # highest first, so one detection fills one step per chain
            candidate = self._extend(step, detection, time, horizon)
            current = self.chains[step]
            if candidate is not None and (current is None or candidate.start >= current.start):
                self.chains[step] = candidate
        return self.progress(horizon)

    def progress(self, horizon: int) -> int:
        """Number of steps completed in order by a chain that started at or after horizon."""
        for step in range(len(self.chains) - 1, -1, -1):
            chain = self.chains[step]
            if chain is not None and chain.start >= horizon:
                return step + 1
        return 0

    def best(self, steps_done: int) -> Chain | None:
        """The chain that completed ``steps_done`` steps."""
        return self.chains[steps_done - 1] if steps_done else None

    def _extend(self, step: int, detection: Detection, time: int, horizon: int) -> Chain | None:
        if step == 0:
            return Chain(time, time, (detection,))
        previous = self.chains[step - 1]
        if previous is None or previous.start < horizon or previous.last > time:
            return None
        return Chain(previous.start, time, (*previous.detections, detection))

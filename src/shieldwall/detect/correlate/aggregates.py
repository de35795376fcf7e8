"""Running aggregates over a sliding window: add a value when it enters, remove it on exit.

Each correlation type keeps one of these per group, so the value the condition is compared
with is available in O(1) (O(log n) search for percentiles) instead of re-reading the window.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable
from typing import Protocol


class Aggregate(Protocol):
    """What a window needs from an aggregate."""

    def add(self, value: Hashable) -> None:
        """A value entered the window."""

    def remove(self, value: Hashable) -> None:
        """A value left the window (it was added before)."""

    def result(self) -> float:
        """The aggregate over the values now in the window."""

    def clear(self) -> None:
        """Forget every value (the group was reset)."""


class CountAggregate:
    """event_count: how many detections are in the window."""

    def __init__(self) -> None:
        self._n = 0

    def add(self, value: Hashable) -> None:
        self._n += 1

    def remove(self, value: Hashable) -> None:
        self._n -= 1

    def result(self) -> float:
        return self._n

    def clear(self) -> None:
        self._n = 0


class DistinctAggregate:
    """value_count and temporal: how many distinct values (field values, rules) are present."""

    def __init__(self) -> None:
        self._seen: Counter[Hashable] = Counter()

    def add(self, value: Hashable) -> None:
        self._seen[value] += 1

    def remove(self, value: Hashable) -> None:
        left = self._seen[value] - 1
        if left:
            self._seen[value] = left
        else:
            del self._seen[value]

    def result(self) -> float:
        return len(self._seen)

    def present(self) -> set[Hashable]:
        """The distinct values now in the window (temporal extended conditions ask this)."""
        return set(self._seen)

    def clear(self) -> None:
        self._seen.clear()


class SumAggregate:
    """value_sum and value_avg: a running total (exact for integers)."""

    def __init__(self, *, average: bool) -> None:
        self._average = average
        self._total: float = 0
        self._n = 0

    def add(self, value: Hashable) -> None:
        self._total += _number(value)
        self._n += 1

    def remove(self, value: Hashable) -> None:
        self._total -= _number(value)
        self._n -= 1

    def result(self) -> float:
        if not self._average:
            return self._total
        return self._total / self._n if self._n else 0.0

    def clear(self) -> None:
        self._total = 0
        self._n = 0


class PercentileAggregate:
    """value_percentile and value_median: values kept sorted; linear interpolation.

    The percentile of n sorted values is taken at rank ``p/100 * (n-1)``, interpolating
    between neighbours (numpy's default), so percentile 50 is the usual median.
    """

    def __init__(self, percentile: float) -> None:
        self._fraction = percentile / 100
        self._sorted: list[float] = []

    def add(self, value: Hashable) -> None:
        bisect.insort(self._sorted, _number(value))

    def remove(self, value: Hashable) -> None:
        del self._sorted[bisect.bisect_left(self._sorted, _number(value))]

    def result(self) -> float:
        return percentile_of(self._sorted, self._fraction)

    def clear(self) -> None:
        self._sorted.clear()


def percentile_of(ordered: list[float], fraction: float) -> float:
    """Linear-interpolated percentile of already sorted values (0.0 when there are none)."""
    if not ordered:
        return 0.0
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _number(value: Hashable) -> float:
    if isinstance(value, int | float):
        return value
    raise TypeError(f"aggregate value {value!r} is not a number")

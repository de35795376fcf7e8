"""The state of one correlation rule: its groups, and when they fire.

Semantics, chosen and kept in one place:

* **Window.** Sliding, per group, by detection time: the window is ``[newest - timespan,
  newest]`` with both ends included, so two detections exactly one timespan apart are in
  one window (R10). Nothing is bucketed to wall-clock boundaries.
* **Arrival checks** (``gt``, ``gte``, ``eq``, and boolean temporal conditions): checked each
  time a detection enters the window.
* **Close checks** (``lt``, ``lte``, ``neq``): a window is opened by a group's first
  detection and closes one timespan later; it is checked when a later detection of the group
  falls outside it, when stream time (the newest detection fed to the engine) passes its end,
  or at :meth:`Correlator.flush`.
* **Reset after firing.** When a group fires its window is emptied: ``gte: 10`` over 35
  detections fires 3 times (10, 20, 30), not 26 times. This is what Sigma backends and
  streaming engines usually do to avoid a flood of near-identical alerts.
* **Missing values.** A detection without one of the group-by fields (or, for value_*, the
  condition field or a number in it) does not take part: grouping "no user" with "no user"
  would correlate unrelated events (Splunk's ``stats ... by`` drops them the same way).
  Each such detection is counted in ``skipped``.
* **Time going back.** Input is roughly time-ordered per file. A detection older than the
  group's newest by more than the timespan cannot share a window with what the group holds;
  the stream went back in time (typically the next file), so the group starts afresh.
  Batch scans that must correlate across files, whatever their order or ``--jobs``, build
  the engine with ``sort_at_flush=True`` (see :class:`~.engine.CorrelationEngine`).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Hashable

from shieldwall.detect.correlate.aggregates import (
    Aggregate,
    CountAggregate,
    DistinctAggregate,
    PercentileAggregate,
    SumAggregate,
)
from shieldwall.detect.correlate.condition import Check
from shieldwall.detect.correlate.output import correlation_detection
from shieldwall.detect.correlate.spec import NUMERIC, CorrelationSpec, field_value, hashable
from shieldwall.detect.correlate.window import Entry, GroupWindow, SequenceGroup
from shieldwall.detect.sigma.typed import as_number
from shieldwall.model.detection import Detection

GroupKey = tuple[Hashable, ...]


class Correlator:
    """Windows of one correlation of type event_count, value_count, temporal or value_*."""

    def __init__(self, spec: CorrelationSpec, *, max_events: int, skipped: Counter[str]) -> None:
        self.spec = spec
        self._max_events = max_events
        self._skipped = skipped
        self._groups: OrderedDict[GroupKey, GroupWindow] = OrderedDict()
        self._seq = 0

    @property
    def groups_alive(self) -> int:
        """How many groups hold state now (memory is proportional to this)."""
        return len(self._groups)

    def feed(self, source: str, detection: Detection, time: int) -> list[Detection]:
        """Add one detection of a referenced rule; return what fired."""
        group_key = self.spec.group_of(source, detection)
        if group_key is None:
            return self._skip("a group-by field is missing")
        value = self._value(source, detection)
        if value is None:
            return self._skip(f"field {self.spec.value_label} is missing or not a number")
        self._seq += 1
        entry = Entry(time, self._seq, value, detection)
        if self.spec.check is Check.ON_ARRIVAL:
            return self._arrive(group_key, entry)
        return self._arrive_closing(group_key, entry)

    def sweep(self, clock: int) -> list[Detection]:
        """Forget groups that stream time has left behind; close-checked ones are checked."""
        fired: list[Detection] = []
        horizon = clock - self.spec.span
        while self._groups:
            group_key, window = next(iter(self._groups.items()))
            end = window.newest if self.spec.check is Check.ON_ARRIVAL else window.oldest
            if end >= horizon:
                break
            fired.extend(self._close(group_key, window))
        return fired

    def flush(self) -> list[Detection]:
        """End of input: check every open close-checked window, then forget everything."""
        fired: list[Detection] = []
        for group_key, window in list(self._groups.items()):
            fired.extend(self._close(group_key, window))
        return fired

    def _arrive(self, group_key: GroupKey, entry: Entry) -> list[Detection]:
        window = self._window(group_key)
        self._groups.move_to_end(group_key)
        if len(window) and entry.time < window.newest - self.spec.span:
            window.clear()
        window.add(entry)
        window.evict_before(window.newest - self.spec.span)
        if not self._holds(window):
            return []
        fired = self._output(group_key, window)
        del self._groups[group_key]
        return [fired]

    def _arrive_closing(self, group_key: GroupKey, entry: Entry) -> list[Detection]:
        fired: list[Detection] = []
        window = self._groups.get(group_key)
        if window is not None and not window.oldest <= entry.time <= window.oldest + self.spec.span:
            fired = self._close(group_key, window)
            window = None
        if window is None:
            window = self._window(group_key)
        window.add(entry)
        return fired

    def _close(self, group_key: GroupKey, window: GroupWindow) -> list[Detection]:
        del self._groups[group_key]
        if self.spec.check is Check.ON_CLOSE and len(window) and self._holds(window):
            return [self._output(group_key, window)]
        return []

    def _holds(self, window: GroupWindow) -> bool:
        return self.spec.holds(window.aggregate)

    def _output(self, group_key: GroupKey, window: GroupWindow) -> Detection:
        behind = [entry.detection for entry in window.live()]
        result = window.aggregate.result()
        return correlation_detection(
            self.spec, group_key, result, behind, max_events=self._max_events
        )

    def _window(self, group_key: GroupKey) -> GroupWindow:
        window = self._groups.get(group_key)
        if window is None:
            window = GroupWindow(self._aggregate())
            self._groups[group_key] = window
        return window

    def _aggregate(self) -> Aggregate:
        kind = self.spec.kind
        if kind == "event_count":
            return CountAggregate()
        if kind in ("value_count", "temporal"):
            return DistinctAggregate()
        if kind in ("value_sum", "value_avg"):
            return SumAggregate(average=kind == "value_avg")
        return PercentileAggregate(self.spec.percentile)

    def _value(self, source: str, detection: Detection) -> Hashable:
        kind = self.spec.kind
        if kind == "event_count":
            return 0
        if kind == "temporal":
            return source
        values = [field_value(detection, name) for name in self.spec.value_fields[source]]
        if any(value is None for value in values):
            return None
        if kind in NUMERIC:
            return as_number(values[0])
        return hashable(values[0]) if len(values) == 1 else tuple(map(hashable, values))

    def _skip(self, reason: str) -> list[Detection]:
        self._skipped[f"{self.spec.rule_id}: {reason}"] += 1
        return []


class SequenceCorrelator:
    """Groups of one temporal_ordered correlation (R4): the rules in the listed order."""

    def __init__(self, spec: CorrelationSpec, *, max_events: int, skipped: Counter[str]) -> None:
        self.spec = spec
        self._max_events = max_events
        self._skipped = skipped
        self._groups: OrderedDict[GroupKey, SequenceGroup] = OrderedDict()
        self._positions: dict[str, list[int]] = {}
        for step, source in enumerate(spec.sources):
            self._positions.setdefault(source, []).insert(0, step)

    @property
    def groups_alive(self) -> int:
        """How many groups hold state now."""
        return len(self._groups)

    def feed(self, source: str, detection: Detection, time: int) -> list[Detection]:
        """Advance the group's chains; fire when the steps done meet the condition."""
        group_key = self.spec.group_of(source, detection)
        if group_key is None:
            self._skipped[f"{self.spec.rule_id}: a group-by field is missing"] += 1
            return []
        group = self._groups.get(group_key)
        if group is None or time < group.newest - self.spec.span:
            group = SequenceGroup(len(self.spec.sources))
            self._groups[group_key] = group
        self._groups.move_to_end(group_key)
        done = group.advance(self._positions[source], detection, time, self.spec.span)
        chain = group.best(done)
        if chain is None or not self.spec.holds_count(done):
            return []
        del self._groups[group_key]
        behind = list(chain.detections)
        output = correlation_detection(
            self.spec, group_key, done, behind, max_events=self._max_events
        )
        return [output]

    def sweep(self, clock: int) -> list[Detection]:
        """Forget groups whose newest detection is older than one timespan."""
        horizon = clock - self.spec.span
        while self._groups:
            group_key, group = next(iter(self._groups.items()))
            if group.newest >= horizon:
                break
            del self._groups[group_key]
        return []

    def flush(self) -> list[Detection]:
        """End of input: an unfinished sequence never fires, so just forget it."""
        self._groups.clear()
        return []

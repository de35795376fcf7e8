"""The sliding windows against a naive oracle on random streams (R1, R2, R5, R10).

The oracle recomputes every window from scratch: for detection i at time t in group g, it
takes every detection of g in ``[t - timespan, t]`` that came after g last fired (groups
reset after firing) and compares the count / distinct count / sum with the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.correlate import CorrelationEngine
from tests.unit.detect.correlate.correlate_helpers import (
    BASE_PAIRS,
    FAILED,
    detection,
    parse_correlations,
)

SPAN = 10


@dataclass(frozen=True)
class Item:
    time: int
    user: str
    value: int


def aggregate(kind: str, window: list[Item]) -> int:
    if kind == "event_count":
        return len(window)
    if kind == "value_count":
        return len({item.value for item in window})
    return sum(item.value for item in window)


def oracle(kind: str, threshold: int, stream: list[Item]) -> list[tuple[int, int]]:
    """(index of the completing detection, aggregate) for every firing."""
    fired: list[tuple[int, int]] = []
    reset_after: dict[str, int] = {}
    for i, item in enumerate(stream):
        start = reset_after.get(item.user, -1) + 1
        window = [
            other
            for other in stream[start : i + 1]
            if other.user == item.user and item.time - SPAN <= other.time <= item.time
        ]
        result = aggregate(kind, window)
        if result >= threshold:
            fired.append((i, result))
            reset_after[item.user] = i
    return fired


def engine_result(kind: str, threshold: int, stream: list[Item]) -> list[tuple[int, int]]:
    field = "" if kind == "event_count" else ", field: Value"
    document = f"""
title: Oracle
id: dddddddd-0000-4000-8000-000000000001
correlation:
  type: {kind}
  rules: [failed_logon]
  group-by: [User]
  timespan: {SPAN}s
  condition: {{gte: {threshold}{field}}}
"""
    engine = CorrelationEngine(
        parse_correlations(document), BASE_PAIRS, sweep_every=7, max_events=100
    )
    fired = []
    for i, item in enumerate(stream):
        for output in engine.feed(
            detection(FAILED, item.time, User=item.user, Value=item.value, i=i)
        ):
            assert output.events[-1].fields["i"] == i  # completed by this detection
            result = output.matched["Value"] if kind == "value_sum" else output.count
            fired.append((i, int(result)))
    assert engine.flush() == []  # gte is checked on arrival; nothing is left to close
    return fired


@st.composite
def streams(draw: st.DrawFn) -> list[Item]:
    steps = draw(st.lists(st.integers(0, 6), max_size=60))
    users = draw(st.lists(st.sampled_from("abc"), min_size=len(steps), max_size=len(steps)))
    values = draw(st.lists(st.integers(0, 4), min_size=len(steps), max_size=len(steps)))
    time = 0
    stream = []
    for step, user, value in zip(steps, users, values, strict=True):
        time += step
        stream.append(Item(time, user, value))
    return stream


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["event_count", "value_count", "value_sum"]),
    threshold=st.integers(1, 5),
    stream=streams(),
)
def test_sliding_window_agrees_with_the_oracle(
    kind: str, threshold: int, stream: list[Item]
) -> None:
    assert engine_result(kind, threshold, stream) == oracle(kind, threshold, stream)


@settings(max_examples=50, deadline=None)
@given(stream=streams())
def test_state_is_bounded_by_groups_alive_within_the_timespan(stream: list[Item]) -> None:
    document = f"""
title: Never fires
id: dddddddd-0000-4000-8000-000000000002
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [User]
  timespan: {SPAN}s
  condition: {{gte: 1000}}
"""
    engine = CorrelationEngine(parse_correlations(document), BASE_PAIRS, sweep_every=1)
    for i, item in enumerate(stream):
        engine.feed(detection(FAILED, item.time, User=f"{item.user}{i}"))
        alive = {
            f"{o.user}{j}" for j, o in enumerate(stream[: i + 1]) if o.time >= item.time - SPAN
        }
        assert engine.groups_alive <= len(alive)


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["event_count", "value_count"]),
    threshold=st.integers(1, 4),
    stream=streams(),
    data=st.data(),
)
def test_sort_at_flush_is_independent_of_arrival_order(
    kind: str, threshold: int, stream: list[Item], data: st.DataObject
) -> None:  # R10: files in any order, --jobs N
    shuffled = data.draw(st.permutations(list(enumerate(stream))))
    field = "" if kind == "event_count" else ", field: Value"
    document = f"""
title: Sorted
id: dddddddd-0000-4000-8000-000000000003
correlation:
  type: {kind}
  rules: [failed_logon]
  group-by: [User]
  timespan: {SPAN}s
  condition: {{gte: {threshold}{field}}}
"""
    engine = CorrelationEngine(
        parse_correlations(document), BASE_PAIRS, sort_at_flush=True, max_events=100
    )
    for i, item in shuffled:
        assert (
            engine.feed(detection(FAILED, item.time, User=item.user, Value=item.value, i=i)) == []
        )
    fired = [(d.events[-1].fields["i"], d.count) for d in engine.flush()]
    # ties in time keep arrival order, so compare with the oracle over the same order
    ordered = sorted(shuffled, key=lambda pair: pair[1].time)
    expected = oracle(kind, threshold, [item for _, item in ordered])
    assert fired == [(ordered[index][0], count) for index, count in expected]

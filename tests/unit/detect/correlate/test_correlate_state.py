"""Correlation state through JSON: stopping anywhere, saving, and carrying on in a fresh
engine fires exactly what one engine fed the whole stream fires (every type, including
temporal order and close-checked conditions)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.model.detection import Detection
from tests.unit.detect.correlate.correlate_helpers import FAILED, SUCCESS, detection, engine_for

CORRELATIONS = """
title: Many failures
id: 11111111-1111-4111-8111-111111111111
name: many_failures
correlation: {type: event_count, rules: [failed_logon], group-by: [User], timespan: 10s,
  condition: {gte: 3}}
---
title: Failures from several hosts
id: 22222222-2222-4222-8222-222222222222
correlation: {type: value_count, rules: [failed_logon], group-by: [User], timespan: 10s,
  condition: {field: Host, gte: 2}}
---
title: Failure then success
id: 33333333-3333-4333-8333-333333333333
correlation: {type: temporal_ordered, rules: [failed_logon, success_logon], group-by: [User],
  timespan: 10s}
---
title: Quiet user
id: 44444444-4444-4444-8444-444444444444
correlation: {type: event_count, rules: [success_logon], group-by: [User], timespan: 10s,
  condition: {lt: 2}}
---
title: Chained
id: 55555555-5555-4555-8555-555555555555
correlation: {type: event_count, rules: [many_failures], group-by: [User], timespan: 30s,
  condition: {gte: 2}}
"""

STEPS = st.lists(
    st.tuples(
        st.sampled_from([FAILED, SUCCESS]),
        st.integers(0, 4),
        st.sampled_from(["ann", "bob"]),
        st.sampled_from(["h1", "h2"]),
    ),
    max_size=40,
)


def stream(steps: list[tuple[str, int, str, str]]) -> list[Detection]:
    made, clock = [], 0
    for rule, gap, user, host in steps:
        clock += gap
        made.append(detection(rule, clock, User=user, Host=host))
    return made


def fired(engine: CorrelationEngine, detections: list[Detection]) -> list[Any]:
    out: list[Any] = []
    for item in detections:
        out.extend(engine.feed(item))
    return [(d.rule_id, tuple(sorted(d.group.items())), d.count, d.timestamp) for d in out]


@settings(max_examples=150, deadline=None)
@given(STEPS, st.integers(0, 40))
def test_a_saved_state_carries_on_exactly(steps: list[tuple[str, int, str, str]], cut: int) -> None:
    detections = stream(steps)
    cut = min(cut, len(detections))
    whole = engine_for(CORRELATIONS)
    expected = fired(whole, detections)
    first = engine_for(CORRELATIONS)
    before = fired(first, detections[:cut])
    saved = json.loads(json.dumps(first.state()))
    second = engine_for(CORRELATIONS)
    second.restore(saved)
    after = fired(second, detections[cut:])
    assert before + after == expected
    assert second.groups_alive == whole.groups_alive
    flushed = [(d.rule_id, d.count) for d in second.flush()]
    assert flushed == [(d.rule_id, d.count) for d in whole.flush()]


def test_the_correlations_fire_so_the_comparison_means_something() -> None:
    steps = [(FAILED, 1, "ann", "h1"), (FAILED, 1, "ann", "h2"), (FAILED, 1, "ann", "h1")]
    steps += [(SUCCESS, 1, "ann", "h1"), (FAILED, 1, "ann", "h1"), (FAILED, 1, "ann", "h1")]
    steps += [(FAILED, 1, "ann", "h1"), (SUCCESS, 30, "bob", "h1")]
    engine = engine_for(CORRELATIONS)
    titles = {rule_id[:2] for rule_id, *_ in fired(engine, stream(steps))}
    assert titles == {"22", "33", "44", "55"}  # 11 fired twice into 55, which alone emits it

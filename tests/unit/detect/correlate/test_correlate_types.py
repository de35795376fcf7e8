"""Table-driven checks of every correlation type and condition (checklist R1–R7, R9–R11).

Each case: one correlation document, a stream of detections (rule, seconds after T0,
fields), and the correlation detections expected as (seconds of the completing detection,
count). Streams include the cases that must not fire and the boundary at the timespan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.unit.detect.correlate.correlate_helpers import (
    FAILED,
    NET,
    PROC,
    SUCCESS,
    T0,
    detection,
    engine_for,
    run,
)

Step = tuple[str, float, dict[str, Any]]


def correlation(
    kind: str,
    rules: str = "[failed_logon]",
    *,
    condition: str = "{gte: 3}",
    group_by: str = "[User]",
    timespan: str = "60s",
) -> str:
    """One correlation document."""
    return f"""
title: Test correlation
id: 9b1c2d3e-0000-4000-8000-000000000001
level: high
tags: [attack.t1110]
correlation:
  type: {kind}
  rules: {rules}
  group-by: {group_by}
  timespan: {timespan}
  condition: {condition}
"""


@dataclass(frozen=True)
class Case:
    item: str
    title: str
    document: str
    stream: list[Step]
    expected: list[tuple[float, int]]

    def __str__(self) -> str:
        return f"{self.item}: {self.title}"


def logons(*seconds: float, user: str = "alice", rule: str = FAILED) -> list[Step]:
    return [(rule, s, {"User": user}) for s in seconds]


def values(field: str, pairs: list[tuple[float, Any]], user: str = "alice") -> list[Step]:
    return [(FAILED, s, {"User": user, field: v}) for s, v in pairs]


CASES = [
    # R1 event_count
    Case("R1", "three in a minute fires", correlation("event_count"), logons(0, 10, 20), [(20, 3)]),
    Case("R1", "two in a minute does not", correlation("event_count"), logons(0, 10), []),
    Case(
        "R1",
        "exactly the timespan apart counts",
        correlation("event_count"),
        logons(0, 30, 60),
        [(60, 3)],
    ),
    Case(
        "R1",
        "just over the timespan does not",
        correlation("event_count"),
        logons(0, 30, 60.001),
        [],
    ),
    Case(
        "R1",
        "reset after firing: six fire twice",
        correlation("event_count"),
        logons(0, 1, 2, 3, 4, 5),
        [(2, 3), (5, 3)],
    ),
    Case(
        "R1",
        "other rules are not counted",
        correlation("event_count"),
        [*logons(0, 1), *logons(2, rule=SUCCESS)],
        [],
    ),
    # R9 group-by
    Case(
        "R9",
        "groups are separate",
        correlation("event_count"),
        [*logons(0, 1), *logons(2, user="bob")],
        [],
    ),
    Case(
        "R9",
        "several group-by fields are AND",
        correlation("event_count", group_by="[User, Host]"),
        [
            (FAILED, 0, {"User": "a", "Host": "h1"}),
            (FAILED, 1, {"User": "a", "Host": "h2"}),
            (FAILED, 2, {"User": "a", "Host": "h1"}),
            (FAILED, 3, {"User": "a", "Host": "h1"}),
        ],
        [(3, 3)],
    ),
    Case(
        "R9",
        "missing group-by field does not take part",
        correlation("event_count"),
        [*logons(0, 1), (FAILED, 2, {"Other": "x"})],
        [],
    ),
    Case(
        "R9",
        "no group-by: one group for all",
        correlation("event_count", group_by="[]"),
        [*logons(0), *logons(1, user="bob"), *logons(2, user="carol")],
        [(2, 3)],
    ),
    # R2 value_count
    Case(
        "R2",
        "three distinct users from one ip",
        correlation("value_count", condition="{gte: 3, field: User}", group_by="[Ip]"),
        [(FAILED, i, {"Ip": "10.0.0.1", "User": u}) for i, u in enumerate("abc")],
        [(2, 3)],
    ),
    Case(
        "R2",
        "repeated users are counted once",
        correlation("value_count", condition="{gte: 3, field: User}", group_by="[Ip]"),
        [(FAILED, i, {"Ip": "10.0.0.1", "User": u}) for i, u in enumerate("abab")],
        [],
    ),
    Case(
        "R2",
        "a value that slid out is no longer counted",
        correlation("value_count", condition="{gte: 3, field: User}", group_by="[Ip]"),
        [(FAILED, s, {"Ip": "1", "User": u}) for s, u in [(0, "a"), (50, "b"), (61, "c")]],
        [],
    ),
    Case(
        "R2",
        "detections without the field do not count",
        correlation("value_count", condition="{gte: 2, field: User}", group_by="[Ip]"),
        [(FAILED, 0, {"Ip": "1", "User": "a"}), (FAILED, 1, {"Ip": "1"})],
        [],
    ),
    # R3 temporal
    Case(
        "R3",
        "both rules in any order",
        correlation("temporal", "[failed_logon, success_logon]", condition="{gte: 2}"),
        [*logons(0, rule=SUCCESS), *logons(30)],
        [(30, 2)],
    ),
    Case(
        "R3",
        "default condition: all rules",
        correlation("temporal", "[failed_logon, success_logon, proc_start]", condition="null"),
        [*logons(0), *logons(1, rule=PROC), *logons(2), *logons(3, rule=SUCCESS)],
        [(3, 3)],
    ),
    Case(
        "R3",
        "one rule many times is not enough",
        correlation("temporal", "[failed_logon, success_logon]", condition="{gte: 2}"),
        logons(0, 1, 2, 3),
        [],
    ),
    Case(
        "R3",
        "the second rule outside the timespan",
        correlation("temporal", "[failed_logon, success_logon]", condition="{gte: 2}"),
        [*logons(0), *logons(61, rule=SUCCESS)],
        [],
    ),
    Case(
        "R3",
        "boolean condition: a and (b or c)",
        correlation(
            "temporal",
            "[failed_logon, success_logon, proc_start]",
            condition="'failed_logon and (success_logon or proc_start)'",
        ),
        [*logons(0, rule=PROC), *logons(5)],
        [(5, 2)],
    ),
    # R4 temporal_ordered
    Case(
        "R4",
        "in the listed order fires",
        correlation("temporal_ordered", "[failed_logon, success_logon]", condition="null"),
        [*logons(0, 10), *logons(20, rule=SUCCESS)],
        [(20, 2)],
    ),
    Case(
        "R4",
        "reversed order does not",
        correlation("temporal_ordered", "[failed_logon, success_logon]", condition="null"),
        [*logons(0, rule=SUCCESS), *logons(10)],
        [],
    ),
    Case(
        "R4",
        "exactly the timespan from first to last step",
        correlation(
            "temporal_ordered", "[failed_logon, success_logon, proc_start]", condition="null"
        ),
        [*logons(0), *logons(30, rule=SUCCESS), *logons(60, rule=PROC)],
        [(60, 3)],
    ),
    Case(
        "R4",
        "a late start still completes within the timespan",
        correlation("temporal_ordered", "[failed_logon, success_logon]", condition="null"),
        [*logons(0, 50), *logons(100, rule=SUCCESS)],
        [(100, 2)],
    ),
    Case(
        "R4",
        "steps in order but too slow",
        correlation(
            "temporal_ordered", "[failed_logon, success_logon, proc_start]", condition="null"
        ),
        [*logons(0), *logons(40, rule=SUCCESS), *logons(61, rule=PROC)],
        [],
    ),
    Case(
        "R4",
        "the same rule at two steps needs two detections",
        correlation(
            "temporal_ordered", "[failed_logon, success_logon, failed_logon]", condition="null"
        ),
        [*logons(0), *logons(1, rule=SUCCESS), *logons(2)],
        [(2, 3)],
    ),
    # R5 value_sum
    Case(
        "R5",
        "sum reaches the threshold",
        correlation("value_sum", condition="{gte: 100, field: Bytes}"),
        values("Bytes", [(0, 60), (10, "40")]),
        [(10, 2)],
    ),
    Case(
        "R5",
        "sum below the threshold",
        correlation("value_sum", condition="{gte: 100, field: Bytes}"),
        values("Bytes", [(0, 60), (10, 39), (20, "n/a")]),
        [],
    ),
    Case(
        "R5",
        "a value that slid out leaves the sum",
        correlation("value_sum", condition="{gt: 100, field: Bytes}"),
        values("Bytes", [(0, 60), (40, 30), (70, 30)]),
        [],
    ),
    # R6 value_avg
    Case(
        "R6",
        "average above the threshold",
        correlation("value_avg", condition="{gt: 10, field: Bytes}"),
        values("Bytes", [(0, 5), (1, 20)]),
        [(1, 2)],
    ),
    Case(
        "R6",
        "average lt checked when the window closes",
        correlation("value_avg", condition="{lt: 10, field: Bytes}"),
        values("Bytes", [(0, 5), (1, 8), (100, 50)]),
        [(1, 2)],
    ),
    # R7 value_percentile / value_median
    Case(
        "R7",
        "90th percentile high",
        correlation("value_percentile", condition="{gte: 90, field: Ms, percentile: 90}"),
        values("Ms", [(i, v) for i, v in enumerate([1, 1, 1, 1, 1, 1, 1, 1, 100, 100])]),
        [(9, 10)],
    ),
    Case(
        "R7",
        "90th percentile low",
        correlation("value_percentile", condition="{gte: 90, field: Ms, percentile: 90}"),
        values("Ms", [(i, v) for i, v in enumerate([1, 1, 1, 1, 1, 1, 1, 1, 1, 100])]),
        [],
    ),
    Case(
        "R7",
        "median of the window",
        correlation("value_median", condition="{gte: 10, field: Ms}"),
        values("Ms", [(0, 1), (1, 10), (2, 30)]),
        [(2, 3)],
    ),
    # R10 sliding, not fixed buckets; arrival order
    Case(
        "R10",
        "across a minute boundary still one window",
        correlation("event_count"),
        logons(50, 70, 100),
        [(100, 3)],
    ),
    Case(
        "R10",
        "out of order within the timespan is counted",
        correlation("event_count"),
        logons(10, 40, 20),
        [(40, 3)],
    ),
    Case(
        "R10",
        "time going back a timespan starts the group afresh",
        correlation("event_count"),
        logons(500, 501, 0, 1),
        [],
    ),
    # R11 conditions
    Case("R11", "gt", correlation("event_count", condition="{gt: 2}"), logons(0, 1, 2), [(2, 3)]),
    Case(
        "R11",
        "eq fires when the count is reached",
        correlation("event_count", condition="{eq: 2}"),
        logons(0, 1),
        [(1, 2)],
    ),
    Case(
        "R11",
        "lt fires for a window that closed small",
        correlation("event_count", condition="{lt: 3}"),
        [*logons(0, 1), *logons(0, 1, 2, user="bob")],
        [(1, 2)],
    ),
    Case(
        "R11",
        "lte: the window ends at the timespan, the next opens (closed by flush)",
        correlation("event_count", condition="{lte: 2}"),
        logons(0, 60, 61),
        [(60, 2), (61, 1)],
    ),
    Case(
        "R11",
        "lte: a window over the limit does not fire",
        correlation("event_count", condition="{lte: 2}"),
        logons(0, 30, 60),
        [],
    ),
    Case(
        "R11",
        "neq",
        correlation("event_count", condition="{neq: 2}"),
        [*logons(0, 1), *logons(0, 1, 2, user="bob")],
        [(2, 3)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_correlation_cases(case: Case) -> None:
    engine = engine_for(case.document)
    stream = [detection(rule, seconds, **fields) for rule, seconds, fields in case.stream]
    fired = run(engine, stream)
    got = [((d.timestamp - T0).total_seconds() if d.timestamp else -1, d.count) for d in fired]
    assert got == case.expected


def test_output_carries_the_correlation_and_its_evidence() -> None:  # R1
    engine = engine_for(correlation("event_count"))
    stream = [detection(FAILED, s, User="alice", n=s) for s in (0, 10, 20)]
    (fired,) = run(engine, stream)
    assert fired.rule_id == "9b1c2d3e-0000-4000-8000-000000000001"
    assert (fired.rule_title, fired.level.name, fired.tags) == (
        "Test correlation",
        "HIGH",
        ("attack.t1110",),
    )
    assert (fired.kind, fired.group, fired.count) == ("event_count", {"User": "alice"}, 3)
    assert [e.fields["n"] for e in fired.events] == [0, 10, 20]
    assert fired.source == stream[-1].source


def test_numeric_aggregate_is_reported_in_matched() -> None:  # R5, R6
    engine = engine_for(correlation("value_avg", condition="{gte: 15, field: Bytes}"))
    (fired,) = run(engine, [detection(FAILED, s, User="a", Bytes=b) for s, b in [(0, 10), (1, 20)]])
    assert fired.matched == {"Bytes": 15.0}
    assert fired.count == 2


def test_events_behind_are_bounded() -> None:  # R1
    engine = engine_for(correlation("event_count", condition="{gte: 5}"), max_events=2)
    (fired,) = run(engine, [detection(FAILED, s, User="a", n=s) for s in range(5)])
    assert [e.fields["n"] for e in fired.events] == [0, 1]
    assert fired.count == 5


def test_network_rule_is_routed_separately() -> None:  # R8 routing sanity
    engine = engine_for(correlation("event_count", "[net_conn]", condition="{gte: 2}"))
    fired = run(
        engine,
        [detection(NET, 0, User="a"), detection(FAILED, 1, User="a"), detection(NET, 2, User="a")],
    )
    assert [d.count for d in fired] == [2]


def test_close_checked_window_fires_when_stream_time_passes_it() -> None:  # R11, R10
    engine = engine_for(correlation("event_count", condition="{lt: 3}"))
    assert engine.feed(detection(FAILED, 0, User="alice")) == []
    fired = engine.feed(detection(FAILED, 100, User="bob"))  # stream time passed alice's window
    assert [(d.group, d.count) for d in fired] == [({"User": "alice"}, 1)]
    assert [d.group for d in engine.flush()] == [{"User": "bob"}]


def test_groups_left_behind_are_forgotten() -> None:  # memory: bounded by live groups
    engine = engine_for(correlation("event_count", condition="{gte: 50}"), sweep_every=1)
    for i in range(1000):
        engine.feed(detection(FAILED, i * 10, User=f"user{i}"))
    assert engine.groups_alive <= 7  # users seen in the last 60 s


def test_sort_at_flush_correlates_across_files_fed_out_of_order() -> None:  # R3, R10
    document = correlation(
        "temporal", "[failed_logon, success_logon]", condition="{gte: 2}", group_by="[Host]"
    )
    sysmon_file = [detection(SUCCESS, 500, Host="h"), detection(SUCCESS, 1000, Host="h")]
    security_file = [detection(FAILED, 505, Host="h")]  # fed after, 5 s after the first one
    streaming = engine_for(document)
    assert run(streaming, sysmon_file + security_file) == []  # arrived too late to pair
    batch = engine_for(document, sort_at_flush=True)
    fired = run(batch, sysmon_file + security_file)
    assert [((d.timestamp - T0).total_seconds(), d.count) for d in fired] == [(505, 2)]

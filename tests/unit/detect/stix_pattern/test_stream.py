"""Windows per member and per pattern: isolation, bounds, expiry by event time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.stix_pattern import PatternSet, PatternStates, compile_pattern, observation
from shieldwall.detect.stix_pattern.bindings import MAX_STEPS, Search

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
A_THEN_B = "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [domain-name:value = 'b.test']"
A = observation({"DestinationIp": "10.0.0.1"})
B = observation({"QueryName": "b.test"})


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_one_members_events_never_complete_another_members_pattern() -> None:
    pattern = compile_pattern("indicator--1", A_THEN_B)
    states = PatternStates()
    assert states.observe("alpha", [pattern], A, at(0)) == []
    assert states.observe("bravo", [pattern], B, at(1)) == []  # alpha's A is not bravo's
    assert states.observe("alpha", [pattern], B, at(2)) == [pattern]
    assert states.observe("bravo", [pattern], A, at(3)) == []  # A after B: not in order


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["alpha", "bravo"]), st.booleans()), max_size=12))
def test_members_interleaved_match_as_each_alone(sequence: list[tuple[str, bool]]) -> None:
    pattern = compile_pattern("indicator--1", A_THEN_B)
    together, alone = PatternStates(), {m: PatternStates() for m in ("alpha", "bravo")}
    for second, (member, is_a) in enumerate(sequence):
        objects = A if is_a else B
        mixed = together.observe(member, [pattern], objects, at(second))
        assert mixed == alone[member].observe(member, [pattern], objects, at(second))


def test_the_within_window_drops_older_observations() -> None:
    pattern = compile_pattern("indicator--1", f"({A_THEN_B}) WITHIN 60 SECONDS")
    assert pattern.window == 60_000_000
    states = PatternStates()
    states.observe("alpha", [pattern], A, at(0))
    assert states.observe("alpha", [pattern], B, at(61)) == []
    states.observe("alpha", [pattern], A, at(100))
    assert states.observe("alpha", [pattern], B, at(160)) == [pattern]


def test_no_pattern_sees_past_the_maximum_window() -> None:
    pattern = compile_pattern("indicator--1", A_THEN_B, max_window=10)
    states = PatternStates()
    states.observe("alpha", [pattern], A, at(0))
    assert states.observe("alpha", [pattern], B, at(11)) == []
    states.observe("alpha", [pattern], A, at(12))
    assert states.observe("alpha", [pattern], B, at(22)) == [pattern]


def test_an_event_older_than_the_window_is_counted_late_and_ignored() -> None:
    pattern = compile_pattern("indicator--1", A_THEN_B, max_window=10)
    states = PatternStates()
    states.observe("alpha", [pattern], B, at(100))
    assert states.observe("alpha", [pattern], A, at(5)) == [] and states.counts.late == 1


def test_at_most_max_kept_observations_per_member_and_pattern() -> None:
    pattern = compile_pattern("indicator--1", "[ipv4-addr:value = '10.0.0.1'] REPEATS 4 TIMES")
    states = PatternStates(max_kept=3)
    assert not any(states.observe("alpha", [pattern], A, at(s)) for s in range(10))
    roomy = PatternStates(max_kept=4)
    assert [bool(roomy.observe("alpha", [pattern], A, at(s))) for s in range(5)] == [
        False, False, False, True, True,
    ]  # fmt: skip


def test_the_number_of_windows_is_bounded() -> None:
    pattern = compile_pattern("indicator--1", A_THEN_B)
    states = PatternStates(max_states=5)
    for number in range(20):
        states.observe(f"member-{number}", [pattern], A, at(number))
    assert len(states) == 5


def test_a_hostile_repeats_costs_a_bounded_search() -> None:
    never = "[ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = '192.0.2.1']"
    pattern = compile_pattern(
        "indicator--1", f"[ipv4-addr:value = '10.0.0.1'] REPEATS 8 TIMES AND {never}"
    )
    states = PatternStates()
    for second in range(64):
        assert states.observe("alpha", [pattern], A, at(second)) == []
    assert states.counts.cut > 0  # C(64, 8) choices: the search stopped at its bound, and said so
    search = Search({n: (n, frozenset({0})) for n in range(64)})
    assert len(search.bindings(pattern.tree)) == 0 and search.steps <= MAX_STEPS + 1


def test_a_pattern_whose_types_the_event_lacks_is_not_evaluated() -> None:
    pattern = compile_pattern("indicator--1", "[file:name = 'x.exe'] AND [file:name = 'y.exe']")
    states = PatternStates()
    assert states.observe("alpha", [pattern], A, at(0)) == [] and len(states) == 0


def test_a_redelivered_event_never_counts_twice() -> None:
    pattern = compile_pattern("indicator--1", "[ipv4-addr:value = '10.0.0.1'] REPEATS 2 TIMES")
    states = PatternStates()
    assert states.observe("alpha", [pattern], A, at(0), ident=7) == []
    assert states.observe("alpha", [pattern], A, at(0), ident=7) == []  # the same message
    assert states.observe("alpha", [pattern], A, at(1), ident=8) == [pattern]


def test_the_index_names_only_the_patterns_an_event_could_advance() -> None:
    anchored = compile_pattern("indicator--1", A_THEN_B)
    either = compile_pattern(
        "indicator--2", "[ipv4-addr:value IN ('10.0.0.9', '10.0.0.1') OR domain-name:value = 'z']"
    )
    loose = compile_pattern("indicator--3", "[domain-name:value LIKE '%.test'] REPEATS 2 TIMES")
    both = compile_pattern(
        "indicator--4", "[domain-name:value LIKE 'b%' AND domain-name:value = 'b.test']"
    )
    index = PatternSet([anchored, either, loose, both])
    assert index.candidates(A) == [anchored, either]
    assert index.candidates(B) == [anchored, loose, both]
    assert index.candidates(observation({"QueryName": "c.test"})) == [loose]
    assert index.candidates(observation({"DestinationIp": "192.0.2.1"})) == []


def test_windows_saved_and_restored_go_on_as_if_never_stopped() -> None:
    pattern = compile_pattern("indicator--1", f"({A_THEN_B}) WITHIN 60 SECONDS")
    states = PatternStates()
    states.observe("alpha", [pattern], A, at(0), ident=1)
    saved = json.loads(json.dumps(states.export()))  # as the store keeps it
    again = PatternStates.restored(saved)
    assert again.observe("bravo", [pattern], B, at(1), ident=2) == []
    assert again.observe("alpha", [pattern], A, at(0), ident=1) == []  # a redelivery
    assert again.observe("alpha", [pattern], B, at(2), ident=3) == [pattern]
    assert len(PatternStates.restored({"windows": [["x"], None, [1, 2]]})) == 0


def test_a_changed_pattern_starts_a_window_of_its_own() -> None:
    old = compile_pattern("indicator--1", A_THEN_B)
    new = compile_pattern("indicator--1", A_THEN_B.replace("b.test", "c.test"))
    states = PatternStates()
    states.observe("alpha", [old], A, at(0))
    assert states.observe("alpha", [new], observation({"QueryName": "c.test"}), at(1)) == []

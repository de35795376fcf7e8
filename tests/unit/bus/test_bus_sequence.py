"""SequenceTracker: redeliveries recognised, gaps named, whatever the arrival order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.bus.sequence import SequenceTracker
from shieldwall.model.errors import BusError


def missing(tracker: SequenceTracker, up_to: int) -> set[int]:
    return {sequence for gap in tracker.gaps(up_to=up_to) for sequence in gap}


@given(arrivals=st.lists(st.integers(min_value=1, max_value=60), max_size=120))
def test_gaps_are_exactly_the_numbers_never_recorded(arrivals: list[int]) -> None:
    tracker = SequenceTracker()
    seen: set[int] = set()
    for sequence in arrivals:
        assert tracker.record(sequence) is (sequence not in seen)
        seen.add(sequence)

    assert missing(tracker, 60) == set(range(1, 61)) - seen
    assert all(tracker.is_done(sequence) for sequence in seen)
    assert tracker.highest == max(seen, default=0)


@given(arrivals=st.lists(st.integers(min_value=1, max_value=40), max_size=80))
def test_floor_is_the_longest_run_from_one_and_state_round_trips(arrivals: list[int]) -> None:
    tracker = SequenceTracker()
    for sequence in arrivals:
        tracker.record(sequence)
    restored = SequenceTracker(tracker.floor, tracker.above_floor)

    expected_floor = 0
    while expected_floor + 1 in arrivals:
        expected_floor += 1
    assert tracker.floor == expected_floor
    assert all(sequence > tracker.floor for sequence in tracker.above_floor)
    assert restored.gaps(up_to=41) == tracker.gaps(up_to=41)
    assert restored.floor == tracker.floor


def test_gaps_list_ranges_in_order_and_the_tail_only_when_asked() -> None:
    tracker = SequenceTracker()
    for sequence in (1, 2, 5, 9):
        tracker.record(sequence)

    assert tracker.gaps() == [range(3, 5), range(6, 9)]
    assert tracker.gaps(up_to=11) == [range(3, 5), range(6, 9), range(10, 12)]
    assert tracker.gaps(up_to=4) == [range(3, 5)]


@pytest.mark.parametrize("bad", [0, -3])
def test_sequence_numbers_start_at_one(bad: int) -> None:
    with pytest.raises(BusError, match="start at 1"):
        SequenceTracker().record(bad)


def test_a_negative_floor_is_refused() -> None:
    with pytest.raises(BusError, match="floor"):
        SequenceTracker(floor=-1)

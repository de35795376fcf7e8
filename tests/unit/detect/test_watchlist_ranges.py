"""Address blocks revised again and again find what blocks built at once would find."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.detect import watchlist_ranges
from shieldwall.detect.watchlist import Matcher, WatchEntry
from shieldwall.detect.watchlist_ranges import Block, Blocks

block = st.tuples(st.integers(0, 40), st.integers(0, 8), st.integers(0, 9))
steps = st.lists(st.tuples(st.sets(st.integers(0, 9)), st.lists(block, max_size=4)), max_size=12)


def held(blocks: list[Block[str]], number: int) -> list[str]:
    return sorted(entry for first, last, entry in blocks if first <= number <= last)


@pytest.mark.parametrize("merge_min", [0, 2, 1024])
@given(start=st.lists(block, max_size=8), revisions=steps)
def test_revisions_find_what_one_build_finds(
    merge_min: int,
    start: list[tuple[int, int, int]],
    revisions: list[tuple[set[int], list[tuple[int, int, int]]]],
) -> None:
    """Each step takes out every block of some entries and adds others (an entry taken
    out may come back); small ``MERGE_MIN`` values merge the layer into the base often."""
    watchlist_ranges.MERGE_MIN, before = merge_min, watchlist_ranges.MERGE_MIN
    try:
        current = [(first, first + span, f"e{n}") for first, span, n in start]
        blocks: Blocks[str] | None = Blocks(current) if current else None
        for gone_numbers, fresh in revisions:
            gone = {f"e{n}" for n in gone_numbers}
            added = [(first, first + span, f"e{n}") for first, span, n in fresh]
            current = [b for b in current if b[2] not in gone] + added
            if blocks is None:
                blocks = Blocks(added) if added else None
            else:
                blocks = blocks.revised(gone, added)
            assert (0 if blocks is None else len(blocks)) == len(current)
            for number in range(0, 50):
                found = sorted(blocks.find(number)) if blocks is not None else []
                assert found == held(current, number)
    finally:
        watchlist_ranges.MERGE_MIN = before


def test_a_matcher_revised_many_times_keeps_its_blocks_and_size() -> None:
    """Publications in batches (each a revision): blocks added, one revoked, one back."""
    matcher = Matcher([WatchEntry("base", "ip", "10.0.0.0/8")])
    for n in range(300):
        matcher = matcher.revised([], [WatchEntry(f"b{n}", "ip", f"10.{n // 256}.{n % 256}.0/24")])
    revoked = WatchEntry("b5", "ip", "10.0.5.0/24")
    matcher = matcher.revised([revoked, WatchEntry("base", "ip", "10.0.0.0/8")], [])
    assert len(matcher) == 299
    assert [e.indicator_id for e in matcher.observe("ip", "10.0.6.1")] == ["b6"]
    assert matcher.observe("ip", "10.0.5.1") == () and matcher.observe("ip", "10.9.9.9") == ()
    matcher = matcher.revised([], [revoked])
    assert [e.indicator_id for e in matcher.observe("ip", "10.0.5.1")] == ["b5"]

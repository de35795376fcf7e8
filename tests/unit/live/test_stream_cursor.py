"""The stream's cursor, its events' wire format, and where a page stops at a hole."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.live import Cursor, StreamEvent
from shieldwall.live.stream import settled
from shieldwall.model.errors import InputError


def test_cursor_round_trip_and_refusals() -> None:
    assert Cursor.parse(" 12-3 ") == Cursor(12, 3)
    assert Cursor.parse(Cursor(7, 0).token) == Cursor(7, 0)
    for bad in ("", "12", "a-1", "-1-2", "1-2-3", "9" * 20 + "-1"):
        with pytest.raises(InputError):
            Cursor.parse(bad)


@given(st.text(max_size=40))
def test_any_text_is_a_cursor_or_an_input_error(text: str) -> None:
    try:
        cursor = Cursor.parse(text)
    except InputError:
        return
    assert Cursor.parse(cursor.token) == cursor


def test_event_wire_format() -> None:
    event = StreamEvent("alert", {"seq": 5, "note": "a\nb"}, Cursor(5, 2))
    assert event.encode() == b'id: 5-2\nevent: alert\ndata: {"seq":5,"note":"a\\nb"}\n\n'


def test_a_hole_followed_by_a_fresh_row_stops_the_page() -> None:
    rows = [(1, False), (2, False), (4, True), (5, True)]
    number, fresh = (lambda r: r[0]), (lambda r: r[1])
    assert settled(rows, 0, number, fresh) == rows[:2]  # 3 may still commit
    assert settled([(4, False), (5, True)], 2, number, fresh) == [(4, False), (5, True)]
    assert settled([(2, True), (3, True)], 1, number, fresh) == [(2, True), (3, True)]


@given(st.lists(st.tuples(st.integers(1, 5), st.booleans()), max_size=12), st.integers(0, 5))
def test_settled_is_a_prefix_without_a_fresh_row_after_a_hole(
    steps: list[tuple[int, bool]], after: int
) -> None:
    rows: list[tuple[int, bool]] = []
    number = after
    for step, fresh in steps:
        number += step
        rows.append((number, fresh))
    kept = settled(rows, after, lambda r: r[0], lambda r: r[1])
    assert kept == rows[: len(kept)]
    previous = after
    for row in kept:
        assert row[0] == previous + 1 or not row[1]
        previous = row[0]
    if len(kept) < len(rows):
        stopped = rows[len(kept)]
        assert stopped[1] and stopped[0] != previous + 1

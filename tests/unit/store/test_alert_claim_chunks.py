"""The claim's statements come in a few sizes: rows in slices of powers of two."""

from __future__ import annotations

from shieldwall.store.sql.alert_claim import MAX_ROWS, chunks


def test_rows_are_cut_into_slices_of_powers_of_two_largest_first() -> None:
    assert list(chunks(0)) == []
    assert list(chunks(1)) == [(0, 1)]
    assert list(chunks(300)) == [(0, 256), (256, 32), (288, 8), (296, 4)]
    assert list(chunks(2 * MAX_ROWS + 3)) == [(0, 256), (256, 256), (512, 2), (514, 1)]


def test_the_slices_cover_every_row_once_in_order() -> None:
    for total in range(0, 1100, 7):
        covered = [row for first, count in chunks(total) for row in range(first, first + count)]
        assert covered == list(range(total))
        assert all(count & (count - 1) == 0 for _first, count in chunks(total))

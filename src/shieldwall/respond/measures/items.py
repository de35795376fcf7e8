"""One value to block, whatever its source: an issued measure or an indicator's term.

The builders of every format take a sorted, de-duplicated list of :class:`Item`; they never
see a source object, so nothing a member may not receive can reach a file by another path.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from shieldwall.model.measures import MeasureKind


class Item(NamedTuple):
    """A normalised value to block, with where it comes from and why (a named tuple: lists
    of 100,000 are built on every pull, and tuples are cheap to make)."""

    kind: MeasureKind
    value: str
    source: str
    """The measure's or the indicator's id."""
    reason: str = ""
    confidence: int = 100
    since: datetime | None = None
    valid_until: datetime | None = None


def dedupe(items: list[Item], *, ranked: bool = False) -> list[Item]:
    """One item per (kind, value), the most confident (then the first source) kept; sorted.

    ``ranked``: the items are in that order already (issued measures come so, see
    :mod:`.held`), and are not sorted again. Duplicates are neighbours once sorted, so
    one pass keeps the first of each.
    """
    kept: list[Item] = []
    last: Item | None = None
    for item in items if ranked else sorted(items, key=_rank):
        if last is None or item.value != last.value or item.kind is not last.kind:
            kept.append(item)
            last = item
    return kept


def _rank(item: Item) -> tuple[str, str, int, str]:
    return item.kind.value, item.value, -item.confidence, item.source

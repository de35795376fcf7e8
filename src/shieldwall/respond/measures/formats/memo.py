"""Per-item renderings kept between builds: a changed list re-renders only what changed.

A list version is mostly the last one plus or minus a few values, yet every version
prints every value again in every format. Each writer keeps what one item prints (a line,
a row, a STIX object) in a table keyed by the item itself (every field a writer may
print is in it, so an equal item prints the same), and joins the pieces: a new version of
100,000 items costs a lookup per item and per format, and renders only the new ones.

What an item prints must depend on the item alone; anything that depends on the list
(the member, the version, a signature id moved past a collision) is added when joining.
The records are dropped when they outgrow :data:`LIMIT` items (a process serving many
members with different lists renders afresh then, as it did without them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

from shieldwall.respond.measures.items import Item

V = TypeVar("V")

LIMIT = 600_000
SLOTS = 16
"""Writers (and the digest) that keep pieces: each has a slot in every item's record."""

Record = list[object]
_table: dict[Item, Record] = {}
_slots: list[Memo[object]] = []
_shared = threading.local()


class Memo(Generic[V]):
    """One writer's slot in the records kept per item.

    Every writer's piece of an item lives in one record, found with one ``dict`` lookup
    per item for all the writers of a build (:func:`shared`): at 100,000 items, hashing
    each item once per writer cost more than everything else of a changed version.
    Thread-safe under the GIL: two threads making the same new piece make it twice, alike.
    """

    def __init__(self) -> None:
        if len(_slots) >= SLOTS:
            raise RuntimeError("more writers keep pieces than records have slots")
        self._slot = len(_slots)
        _slots.append(self)  # type: ignore[arg-type]

    def pieces(self, items: Sequence[Item], make: Callable[[Item], V]) -> list[V]:
        """What each item prints, in order: kept ones as they are, the others made now
        (``make`` never returns None) and kept."""
        slot = self._slot
        records = _records_of(items)
        found = [record[slot] for record in records]
        for n in [n for n, piece in enumerate(found) if piece is None]:
            found[n] = records[n][slot] = make(items[n])
        return found  # type: ignore[return-value]  # every None was replaced


def _records_of(items: Sequence[Item]) -> list[Record]:
    held = getattr(_shared, "held", None)
    if held is not None and held[0] is items:
        return held[1]  # type: ignore[no-any-return]
    global _table
    if len(_table) > LIMIT:  # a process serving very different lists: start again
        _table = {}
    table = _table
    records: list[Record | None] = [table.get(item) for item in items]
    for n in [n for n, record in enumerate(records) if record is None]:
        records[n] = table[items[n]] = [None] * SLOTS
    return records  # type: ignore[return-value]  # every None was replaced


@contextmanager
def shared(items: Sequence[Item]) -> Iterator[None]:
    """Within the block, every writer given this very list finds its records at once
    (the list must not change inside the block)."""
    _shared.held = (items, _records_of(items))
    try:
        yield
    finally:
        _shared.held = None


def forget() -> None:
    """Empty every record: the next build renders every item afresh (tests compare the
    two; a process never needs to, as an item prints the same whenever it is printed)."""
    global _table
    _table = {}

"""Per-item renderings kept between builds: a changed list re-renders only what changed.

A list version is mostly the last one plus or minus a few values, yet every version
prints every value again in every format. Each writer keeps what one item prints (a line,
a row, a STIX object) in a table keyed by the item itself (every field a writer may
print is in it, so an equal item prints the same), and joins the pieces: a new version of
100,000 items costs a lookup per item and per format, and renders only the new ones.

What an item prints must depend on the item alone; anything that depends on the list
(the member, the version, a signature id moved past a collision) is added when joining.
The table is emptied when it outgrows :data:`LIMIT` items (a process serving many
members with different lists renders afresh then, as it did without the table).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from shieldwall.respond.measures.items import Item

V = TypeVar("V")

LIMIT = 600_000
_EVERY: list[Memo[object]] = []


class Memo(Generic[V]):
    """One writer's renderings by item; lookups are plain ``dict`` calls (thread-safe
    under the GIL; two threads rendering the same new item render it twice, alike)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._table: dict[Hashable, V] = {}
        self._limit = limit
        _EVERY.append(self)  # type: ignore[arg-type]  # forget() empties every table

    def table(self) -> dict[Hashable, V]:
        """The table for one build (emptied first when it outgrew its limit)."""
        if len(self._table) > self._limit:
            self._table = {}
        return self._table

    def pieces(self, items: Sequence[Item], make: Callable[[Item], V]) -> list[V]:
        """What each item prints, in order: looked up (one C-level pass), and made for the
        items not seen before (``make`` never returns None)."""
        table = self.table()
        found: list[V | None] = [table.get(item) for item in items]
        for n in [n for n, piece in enumerate(found) if piece is None]:
            found[n] = table[items[n]] = make(items[n])
        return found  # type: ignore[return-value]  # every None was replaced


def forget() -> None:
    """Empty every writer's table: the next build renders every item afresh (tests compare
    the two; a process never needs to, as an item prints the same whenever it is printed)."""
    for memo in _EVERY:
        memo._table = {}

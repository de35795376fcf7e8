"""The issued measures a builder has read, kept per store between builds.

A list version reads every current measure; at 100,000 measures turning rows into objects
took seconds on every build. Measures never change once issued but for their withdrawal,
and withdrawal (like expiry) only takes them out of the current set. So each build reads
one narrow column — the ids current now — and fetches only the ids it has not seen; the
rest are the same objects as last time, already in the order de-duplication wants (kind,
value, most confident first), so sorting them again is a linear pass.

The current set itself is always read from the database in the build's transaction: a
measure withdrawn or expired a moment ago is gone from the next build, never served from
memory.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from shieldwall.model.measures import Measure
from shieldwall.respond.measures.items import Item
from shieldwall.store.protocols import Store, UnitOfWork

Held = tuple[Measure, Item, int]
"""A measure, its item, and the index of its addressing in :attr:`Issued.addressings`."""
Rank = tuple[str, str, int, str]
FEW = 2_000
"""New measures up to this many are inserted in place; more, and the list is sorted anew."""


@dataclass(frozen=True, slots=True)
class Issued:
    """The measures current now, ranked, and one measure of each addressing they carry.

    The gate's answer for a member depends only on a measure's addressing (issuer, TLP,
    communities, members), and 100,000 measures carry a handful: the gate is asked once
    per addressing, and each measure then costs a list index.
    """

    ids: frozenset[str]
    ordered: list[Held]
    ranks: list[Rank]
    addressings: list[Measure]
    indexes: dict[tuple[object, ...], int]

    def received(self, may_receive: Callable[[Measure], bool]) -> list[Item]:
        """The items of the measures whose addressing ``may_receive`` accepts, ranked."""
        ok = [may_receive(measure) for measure in self.addressings]
        return [held[1] for held in self.ordered if ok[held[2]]]


_known: WeakKeyDictionary[Store, Issued] = WeakKeyDictionary()
_lock = threading.Lock()


def item_of(measure: Measure) -> Item:
    """The item an issued measure is (its value was normalised when issued)."""
    m = measure
    return Item(m.kind, m.value, m.id, m.reason, m.confidence, m.created_at, m.valid_until)


def rank_of(item: Item) -> Rank:
    """Where the item sorts: kind, value, most confident first, then source (the kind's
    name, not the enum: comparing plain strings is several times faster, same order)."""
    return item.kind.value, item.value, -item.confidence, item.source


def addressing_of(measure: Measure) -> tuple[object, ...]:
    """All the gate reads of a measure (:func:`.audience.descriptor_of`)."""
    return measure.org_id, measure.tlp, measure.community_ids, measure.recipient_org_ids


def current(store: Store, tx: UnitOfWork, now: datetime) -> Issued:
    """Every measure current at ``now`` with its item, sorted by :func:`rank_of` (as
    :func:`..items.dedupe` sorts); read in ``tx``, fetched only when new."""
    ids = tx.measures.current_ids(now)
    with _lock:
        known = _known.get(store) or Issued(frozenset(), [], [], [], {})
    missing = [ident for ident in ids if ident not in known.ids]
    if not missing and len(ids) == len(known.ids):
        return known  # the same set: ids are unique, none new, none gone
    ordered, ranks = known.ordered, known.ranks
    if len(ids) - len(missing) < len(known.ids):  # some were withdrawn or expired
        wanted = frozenset(ids)
        kept = [n for n, held in enumerate(ordered) if held[0].id in wanted]
        ordered, ranks = [ordered[n] for n in kept], [ranks[n] for n in kept]
    else:
        ordered, ranks = list(ordered), list(ranks)
    addressings, indexes = list(known.addressings), dict(known.indexes)
    fresh: list[Held] = []
    if len(missing) > FEW:  # a first read, or many new: one scan beats many IN lists
        wanted_ids = frozenset(missing)
        new = [m for m in tx.measures.list(current_at=now) if m.id in wanted_ids]
    else:
        new = list(tx.measures.many(missing))
    for measure in new:
        key = addressing_of(measure)
        if key not in indexes:
            indexes[key] = len(addressings)
            addressings.append(measure)
        fresh.append((measure, item_of(measure), indexes[key]))
    ordered, ranks = _merged(ordered, ranks, fresh)
    every = frozenset(ids) if len(ordered) == len(ids) else frozenset(h[0].id for h in ordered)
    issued = Issued(every, ordered, ranks, addressings, indexes)
    with _lock:
        _known[store] = issued
    return issued


def _merged(
    ordered: list[Held], ranks: list[Rank], fresh: list[Held]
) -> tuple[list[Held], list[Rank]]:
    if len(fresh) <= FEW:
        for held in fresh:
            rank = rank_of(held[1])
            at = bisect.bisect_left(ranks, rank)
            ranks.insert(at, rank)
            ordered.insert(at, held)
        return ordered, ranks
    ordered.extend(fresh)
    ordered.sort(key=lambda held: rank_of(held[1]))
    return ordered, [rank_of(held[1]) for held in ordered]

"""Where items come from: indicators a member may see, and measures issued to it.

The intelligence store belongs to ``share``, which this application does not import: the
runtime hands in an :data:`IndicatorSource` that reads, through the gate, the indicators
one member may receive now (``share`` picks them exactly as for that member's watchlist)
and gives their terms as :class:`IndicatorTerm`. A term whose value is not one a measure
may carry (:mod:`.values`) is refused with its reason, never passed on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from shieldwall.model.errors import InputError
from shieldwall.model.measures import Measure, MeasureKind, Subscription
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import normalise

ALL_KINDS = frozenset(MeasureKind)
TERM_KINDS = {kind.value: kind for kind in MeasureKind}
"""Watchlist kinds that are measure kinds (``email``, ``file-name`` ... are not)."""


@dataclass(frozen=True, slots=True)
class IndicatorTerm:
    """One value of one indicator a member may receive (already through the gate)."""

    indicator_id: str
    kind: str
    value: str
    confidence: int = 100
    name: str = ""
    modified: datetime | None = None
    valid_until: datetime | None = None


IndicatorSource = Callable[[str, datetime], Sequence[IndicatorTerm]]
"""``(member, now) -> terms`` of the indicators that member may receive now."""
IndicatorStamp = Callable[[], int]
"""A number that moves whenever an indicator is published, revoked, narrowed or deleted."""


@dataclass(frozen=True, slots=True)
class Refused:
    """A value that could not become an item, and why."""

    source: str
    kind: str
    value: str
    reason: str


def from_terms(terms: Iterable[IndicatorTerm]) -> tuple[list[Item], list[Refused]]:
    """Items of the terms whose kind a measure carries; refused ones with their reason."""
    items: list[Item] = []
    refused: list[Refused] = []
    for term in terms:
        kind = TERM_KINDS.get(term.kind)
        if kind is None:
            continue
        try:
            value = normalise(kind, term.value)
        except InputError as exc:
            refused.append(Refused(term.indicator_id, term.kind, term.value[:200], exc.reason))
            continue
        items.append(
            Item(
                kind,
                value,
                term.indicator_id,
                term.name[:200],
                term.confidence,
                term.modified,
                term.valid_until,
            )
        )
    return items, refused


def from_measures(measures: Iterable[Measure]) -> list[Item]:
    """Items of issued measures (their values were normalised when issued)."""
    return [
        Item(m.kind, m.value, m.id, m.reason, m.confidence, m.created_at, m.valid_until)
        for m in measures
    ]


def wanted(items: Iterable[Item], subscription: Subscription) -> list[Item]:
    """The items of the kinds the subscription asks for, at its confidence or above."""
    if subscription.kinds >= ALL_KINDS and subscription.min_confidence <= 0:
        return list(items)  # every kind, any confidence (the default): nothing to drop
    return [
        item
        for item in items
        if item.kind in subscription.kinds and item.confidence >= subscription.min_confidence
    ]

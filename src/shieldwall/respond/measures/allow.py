"""Allow-lists: values never to block, applied before anything is issued.

An item is stopped when blocking it would block an allowed value: an address block that
overlaps an allowed one (either way: blocking ``8.8.0.0/16`` would block an allowed
``8.8.8.8``), a domain that is, is under, or is above an allowed domain (blocking
``example.org`` would block an allowed ``www.example.org``), a URL whose host is allowed,
a hash allowed as is. What was stopped is kept, with the entry that stopped it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from socket import AF_INET, AF_INET6, inet_pton

from shieldwall.model.measures import AllowEntry, MeasureKind
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import url_parts

Span = tuple[int, int, int]
"""(IP version, first address, last address) as integers: overlap is two comparisons."""


def span_of(value: str) -> Span:
    """The addresses a normalised address or block covers (read with ``inet_pton``: this
    runs for every address of every list built)."""
    address, _, prefix = value.partition("/")
    six = ":" in address
    bits = 128 if six else 32
    first = int.from_bytes(inet_pton(AF_INET6 if six else AF_INET, address), "big")
    size = 1 << (bits - int(prefix)) if prefix else 1
    return (6 if six else 4, first, first + size - 1)


@dataclass(frozen=True, slots=True)
class Stopped:
    """An item the allow-list stopped, and the entry that stopped it."""

    item: Item
    entry: AllowEntry


class AllowSet:
    """The entries that apply to one member (its own and the coalition's), ready to ask."""

    def __init__(self, entries: Iterable[AllowEntry]) -> None:
        self._networks: list[tuple[Span, AllowEntry]] = []
        self._domains: dict[str, AllowEntry] = {}
        self._exact: dict[tuple[MeasureKind, str], AllowEntry] = {}
        for entry in entries:
            if entry.kind is MeasureKind.IP:
                self._networks.append((span_of(entry.value), entry))
            elif entry.kind is MeasureKind.DOMAIN:
                self._domains[entry.value] = entry
            else:
                self._exact[(entry.kind, entry.value)] = entry

    def stopper(self, item: Item) -> AllowEntry | None:
        """The entry that forbids blocking the item, or None."""
        if item.kind is MeasureKind.IP:
            return self._network(span_of(item.value)) if self._networks else None
        if item.kind is MeasureKind.DOMAIN:
            return self._domain(item.value) if self._domains else None
        if item.kind is MeasureKind.URL:
            if not (self._networks or self._domains):
                return None
            host = url_parts(item.value)[0].strip("[]")
            try:
                return self._network(span_of(host))
            except OSError:  # not an address: a name
                return self._domain(host, above=False)
        return self._exact.get((item.kind, item.value))

    def split(self, items: Sequence[Item]) -> tuple[list[Item], list[Stopped]]:
        """The items to issue, and those stopped with their entry."""
        kept: list[Item] = []
        stopped: list[Stopped] = []
        if not (self._networks or self._domains or self._exact):
            return list(items), stopped  # nothing to stop (no entry applies)
        for item in items:
            entry = self.stopper(item)
            if entry is None:
                kept.append(item)
            else:
                stopped.append(Stopped(item, entry))
        return kept, stopped

    def _network(self, span: Span) -> AllowEntry | None:
        version, first, last = span
        for (kind, low, high), entry in self._networks:
            if kind == version and low <= last and first <= high:
                return entry
        return None

    def _domain(self, domain: str, *, above: bool = True) -> AllowEntry | None:
        labels = domain.split(".")
        for start in range(len(labels)):
            found = self._domains.get(".".join(labels[start:]))
            if found is not None:
                return found
        if above:
            suffix = "." + domain
            for allowed, entry in self._domains.items():
                if allowed.endswith(suffix):
                    return entry
        return None

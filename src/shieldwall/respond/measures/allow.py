"""Allow-lists: values never to block, applied before anything is issued.

An item is stopped when blocking it would block an allowed value: an address block that
overlaps an allowed one (either way: blocking ``8.8.0.0/16`` would block an allowed
``8.8.8.8``), a domain that is, is under, or is above an allowed domain (blocking
``example.org`` would block an allowed ``www.example.org``), a URL whose host is allowed,
a hash allowed as is. What was stopped is kept, with the entry that stopped it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shieldwall.model.measures import AllowEntry, MeasureKind
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import url_parts

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Stopped:
    """An item the allow-list stopped, and the entry that stopped it."""

    item: Item
    entry: AllowEntry


class AllowSet:
    """The entries that apply to one member (its own and the coalition's), ready to ask."""

    def __init__(self, entries: Iterable[AllowEntry]) -> None:
        self._networks: list[tuple[Network, AllowEntry]] = []
        self._domains: dict[str, AllowEntry] = {}
        self._exact: dict[tuple[MeasureKind, str], AllowEntry] = {}
        for entry in entries:
            if entry.kind is MeasureKind.IP:
                self._networks.append((ipaddress.ip_network(entry.value), entry))
            elif entry.kind is MeasureKind.DOMAIN:
                self._domains[entry.value] = entry
            else:
                self._exact[(entry.kind, entry.value)] = entry

    def stopper(self, item: Item) -> AllowEntry | None:
        """The entry that forbids blocking the item, or None."""
        if item.kind is MeasureKind.IP:
            return self._network(ipaddress.ip_network(item.value))
        if item.kind is MeasureKind.DOMAIN:
            return self._domain(item.value)
        if item.kind is MeasureKind.URL:
            host = url_parts(item.value)[0].strip("[]")
            try:
                return self._network(ipaddress.ip_network(host))
            except ValueError:
                return self._domain(host, above=False)
        return self._exact.get((item.kind, item.value))

    def split(self, items: Sequence[Item]) -> tuple[list[Item], list[Stopped]]:
        """The items to issue, and those stopped with their entry."""
        kept: list[Item] = []
        stopped: list[Stopped] = []
        for item in items:
            entry = self.stopper(item)
            if entry is None:
                kept.append(item)
            else:
                stopped.append(Stopped(item, entry))
        return kept, stopped

    def _network(self, network: Network) -> AllowEntry | None:
        for allowed, entry in self._networks:
            if allowed.version == network.version and allowed.overlaps(network):
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

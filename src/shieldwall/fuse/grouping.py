"""Which alerts belong together: the grouping rules, documented and configurable.

Two alert hits of one member are in the same incident when they share a *link* and lie
within ``window`` of each other: the same host (``by_host``), the same user
(``by_user``) or the same observable — an IP, a hash or a domain (``by_observable``).
Hits of one alert (duplicates counted on it) are always together. The relation is closed
over chains (A links B, B links C: one incident), so an incident is a connected component
of that graph, and the same hits give the same incidents in whatever order they arrive.
:func:`partition` is that definition computed offline; the fuse worker reaches the same
partition one hit at a time (:mod:`.fusion`), merging incidents a new hit bridges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from shieldwall.model.alert import Entities
from shieldwall.model.incident import SEVERITIES


@dataclass(frozen=True, slots=True)
class GroupingRules:
    """The links that group alerts, and how far apart in time they may be."""

    by_host: bool = True
    by_user: bool = True
    by_observable: bool = True
    window: timedelta = timedelta(hours=1)

    def links(self, entities: Entities) -> frozenset[str]:
        """A hit's links (``host:ws1``, ``user:eve``, ``ip:10.0.0.1`` ...)."""
        return _links(self, entities)


@lru_cache(maxsize=8192)
def _links(rules: GroupingRules, entities: Entities) -> frozenset[str]:
    """:meth:`GroupingRules.links`, once per rules and entities: the fuse stage asks it
    three times per hit (its batch's spans, its incident, its campaign observables), and
    a host's hits name the same few entities."""
    found: set[str] = set()
    if rules.by_host:
        found.update(f"host:{host}" for host in entities.hosts)
    if rules.by_user:
        found.update(f"user:{user.lower()}" for user in entities.users)
    if rules.by_observable:
        found.update(f"ip:{ip}" for ip in entities.ips)
        found.update(f"hash:{digest}" for digest in entities.hashes)
        found.update(f"domain:{domain}" for domain in entities.domains)
    return frozenset(link[:400] for link in found)


def observables(entities: Entities) -> frozenset[str]:
    """The links that may tie members together in a campaign: IPs, hashes, domains.

    Host and user names are a member's own (two members' ``ws1`` are two machines), so
    they group incidents, never campaigns."""
    return _OBSERVABLES.links(entities)


_OBSERVABLES = GroupingRules(by_host=False, by_user=False, by_observable=True)


@dataclass(frozen=True, slots=True)
class HitView:
    """What grouping needs of a hit: its alert, its time and its links."""

    alert: str
    """Which alert the hit is counted on (hits of one alert are always together)."""
    org_id: str
    at: datetime
    links: frozenset[str]


def severity_of(levels: Iterable[str]) -> str:
    """An incident's severity: the highest level among its alerts."""
    ranks = [SEVERITIES.index(level) for level in levels if level in SEVERITIES]
    return SEVERITIES[max(ranks)] if ranks else SEVERITIES[0]


def higher(first: str, second: str) -> str:
    """The higher of two severities."""
    return severity_of((first, second))


def partition(hits: Sequence[HitView], window: timedelta) -> set[frozenset[int]]:
    """The incidents the rules define over these hits, as sets of positions in ``hits``.

    Quadratic on purpose: the reference the incremental fusion is tested against.
    """
    parent = list(range(len(hits)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i, first in enumerate(hits):
        for j in range(i + 1, len(hits)):
            second = hits[j]
            if first.org_id != second.org_id:
                continue
            same_alert = first.alert == second.alert
            linked = first.links & second.links and abs(first.at - second.at) <= window
            if same_alert or linked:
                parent[root(i)] = root(j)
    groups: dict[int, set[int]] = {}
    for index in range(len(hits)):
        groups.setdefault(root(index), set()).add(index)
    return {frozenset(group) for group in groups.values()}

"""The read-only view of who exists that the gate consults: organisations, people, communities.

The gate never caches across requests: a request takes a fresh snapshot (or a live
repository behind the same protocol), so suspending an organisation, deactivating a person
or removing an organisation from a community takes effect on the next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from shieldwall.model.errors import ConfigError
from shieldwall.model.identity import Organisation, Person
from shieldwall.model.sharing import Community, TlpLevel

DEFAULT_UNMARKED_LEVEL = TlpLevel.AMBER_STRICT
"""What an unmarked object is treated as when its producer configured nothing."""


class Directory(Protocol):
    """Lookups the gate needs; implemented by a snapshot here and by the store."""

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation, or None when unknown."""
        ...

    def person(self, person_id: str) -> Person | None:
        """The person (or sensor), or None when unknown."""
        ...

    def communities_of(self, org_id: str) -> frozenset[str]:
        """Ids of the communities the organisation currently belongs to."""
        ...

    def unmarked_default(self, org_id: str) -> TlpLevel:
        """The level the organisation's unmarked objects take."""
        ...


class SnapshotDirectory:
    """An immutable in-memory directory; community membership is computed once, here."""

    __slots__ = ("_communities_of", "_defaults", "_orgs", "_people")

    def __init__(
        self,
        organisations: Iterable[Organisation],
        people: Iterable[Person] = (),
        communities: Iterable[Community] = (),
        unmarked_defaults: Mapping[str, TlpLevel] | None = None,
    ) -> None:
        self._orgs = {org.id: org for org in organisations}
        self._people = {person.id: person for person in people}
        self._defaults = dict(unmarked_defaults or {})
        for org_id, level in self._defaults.items():
            _check_unmarked_default(org_id, level)
        community_list = tuple(communities)
        self._communities_of = {
            org.id: frozenset(c.id for c in community_list if c.includes(org))
            for org in self._orgs.values()
        }

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation, or None when unknown."""
        return self._orgs.get(org_id)

    def person(self, person_id: str) -> Person | None:
        """The person, or None when unknown."""
        return self._people.get(person_id)

    def communities_of(self, org_id: str) -> frozenset[str]:
        """Ids of the communities the organisation belongs to (empty when unknown)."""
        return self._communities_of.get(org_id, frozenset())

    def unmarked_default(self, org_id: str) -> TlpLevel:
        """The organisation's configured default, else TLP:AMBER+STRICT."""
        return self._defaults.get(org_id, DEFAULT_UNMARKED_LEVEL)

    def clients_of(self, org_id: str) -> frozenset[str]:
        """Organisations registered as clients of this one (their parent_id is it)."""
        return frozenset(o.id for o in self._orgs.values() if o.parent_id == org_id)


def _check_unmarked_default(org_id: str, level: TlpLevel) -> None:
    """Unlabelled data is not open data: a default of TLP:CLEAR is refused."""
    if level is TlpLevel.CLEAR:
        raise ConfigError(f"unmarked_default[{org_id}]", "TLP:CLEAR would make unmarked data open")

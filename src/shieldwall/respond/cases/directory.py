"""The gate's directory over one transaction, for case items.

The sharing gate resolves the asking principal (is the person active, is the
organisation suspended) from the directory, freshly for each request. Case items never
name communities, so community membership is not looked up here (an empty set changes no
decision about them); unmarked defaults do not arise either (every item carries a level).
"""

from __future__ import annotations

from shieldwall.model.identity import Organisation, Person
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.directory import DEFAULT_UNMARKED_LEVEL
from shieldwall.store.protocols import UnitOfWork


class CaseDirectory:
    """A :class:`~shieldwall.policy.directory.Directory` over one unit of work."""

    def __init__(self, tx: UnitOfWork) -> None:
        self._tx = tx

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation, or None when unknown."""
        return self._tx.organisations.get(org_id)

    def person(self, person_id: str) -> Person | None:
        """The person, or None when unknown."""
        return self._tx.people.get(person_id)

    def communities_of(self, org_id: str) -> frozenset[str]:
        """No community matters to case items (they are addressed to the case's parties)."""
        return frozenset()

    def unmarked_default(self, org_id: str) -> TlpLevel:
        """Never used for case items (each carries its level); the gate's default."""
        return DEFAULT_UNMARKED_LEVEL

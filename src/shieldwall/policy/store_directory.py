"""The gate's directory read from the store, fresh for every request, and an organisation's viewer.

Lookups go to the transaction's repositories and are remembered for the rest of the
request only, so a suspension, a deactivation or a community change made by someone else
takes effect on the next request (nothing is cached across requests). Every application
that asks the gate over the store (``share``, ``respond``) builds its directory here.

:func:`org_viewer` stands for an organisation as a whole (no person): exports, pushes,
feeds and channels addressed to a member ask the gate on its behalf, so TLP:RED (named
people only) never passes through them.
"""

from __future__ import annotations

from collections.abc import Mapping

from shieldwall.model.identity import Organisation, Person
from shieldwall.model.sharing import Community, TlpLevel
from shieldwall.policy.decision import DECISIONS, Reason
from shieldwall.policy.directory import DEFAULT_UNMARKED_LEVEL, Directory
from shieldwall.policy.gate import Viewer
from shieldwall.store.protocols import UnitOfWork


class StoreDirectory:
    """A :class:`~shieldwall.policy.directory.Directory` over one unit of work."""

    def __init__(
        self, tx: UnitOfWork, unmarked_defaults: Mapping[str, TlpLevel] | None = None
    ) -> None:
        self._tx = tx
        self._orgs: dict[str, Organisation | None] = {}
        self._people: dict[str, Person | None] = {}
        self._communities: tuple[Community, ...] | None = None
        self._member_of: dict[str, frozenset[str]] = {}
        self._defaults = dict(unmarked_defaults or {})

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation, or None when unknown."""
        if org_id not in self._orgs:
            self._orgs[org_id] = self._tx.organisations.get(org_id)
        return self._orgs[org_id]

    def person(self, person_id: str) -> Person | None:
        """The person, or None when unknown."""
        if person_id not in self._people:
            self._people[person_id] = self._tx.people.get(person_id)
        return self._people[person_id]

    def communities(self) -> tuple[Community, ...]:
        """Every community (read once per request)."""
        if self._communities is None:
            self._communities = tuple(self._tx.communities.list())
        return self._communities

    def communities_of(self, org_id: str) -> frozenset[str]:
        """Ids of the communities the organisation belongs to now."""
        if org_id not in self._member_of:
            org = self.organisation(org_id)
            self._member_of[org_id] = (
                frozenset(c.id for c in self.communities() if c.includes(org))
                if org is not None
                else frozenset()
            )
        return self._member_of[org_id]

    def unmarked_default(self, org_id: str) -> TlpLevel:
        """The organisation's default for unmarked objects (TLP:AMBER+STRICT unless set)."""
        return self._defaults.get(org_id, DEFAULT_UNMARKED_LEVEL)


def org_viewer(directory: Directory, org: Organisation) -> Viewer:
    """The viewer of ``org`` as the directory knows it now (suspended: sees nothing)."""
    if not org.active:
        return Viewer(directory, person_id=None, org_id=None, blocked=DECISIONS[Reason.SUSPENDED])
    parent = directory.organisation(org.parent_id) if org.parent_id else None
    return Viewer(
        directory,
        person_id=None,
        org_id=org.id,
        parent_id=parent.id if parent is not None and parent.active else None,
        country=org.country,
        communities=directory.communities_of(org.id),
    )

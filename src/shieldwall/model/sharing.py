"""Sharing vocabulary: TLP levels and communities of organisations.

These are plain values. Who may see what is decided in one place, :mod:`shieldwall.policy`;
this module only names the things that decision talks about.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any

from shieldwall.model.identity import Organisation, OrgKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Addressees:
    """To whom an object is addressed beyond its TLP marking: the audience fields, once.

    ``recipient_org_ids`` are the organisations a share was explicitly addressed to;
    ``recipient_person_ids`` the people a TLP:RED share names; ``community_ids`` the
    communities it was addressed to (empty: the whole federation); ``releasable_to`` the
    ``REL TO`` countries (None: no releasability limit; an empty set releases to no
    country, so only the producer sees it). What a submitter asks for
    (``share.Addressing``), what the store keeps (:class:`~.intel.Audience`) and what the
    gate decides on (``policy.ObjectDescriptor``) all extend this class, so a new audience
    field is added here and nowhere else.
    """

    recipient_org_ids: frozenset[str] = frozenset()
    recipient_person_ids: frozenset[str] = frozenset()
    community_ids: frozenset[str] = frozenset()
    releasable_to: frozenset[str] | None = None

    def addressed(self) -> dict[str, Any]:
        """The audience fields as keyword arguments, to carry them into another value."""
        return {name: getattr(self, name) for name in ADDRESSEE_FIELDS}


ADDRESSEE_FIELDS = tuple(f.name for f in fields(Addressees))
"""The names of the audience fields, in declaration order."""


class TlpLevel(IntEnum):
    """TLP 2.0 levels, ordered from the widest audience to the narrowest.

    The integer order is the restrictiveness order, so "several markings, the most
    restrictive wins" is ``max(levels)``. TLP 1.0 labels map onto these
    (WHITE≈CLEAR, GREEN, AMBER, RED); AMBER+STRICT exists only in TLP 2.0.
    """

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        """The FIRST label, e.g. ``TLP:AMBER+STRICT``."""
        return "TLP:" + self.name.replace("_", "+")


@dataclass(frozen=True, slots=True)
class CommunityRule:
    """Selects organisations by kind, country and sector; an empty criterion matches all.

    Within one rule the criteria are AND-ed (a civil organisation *in* NL *and* in the
    energy sector); a community's several rules are OR-ed.
    """

    kinds: frozenset[OrgKind] = frozenset()
    countries: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()

    def matches(self, org: Organisation) -> bool:
        """True when the organisation satisfies every criterion this rule sets."""
        if self.kinds and org.kind not in self.kinds:
            return False
        if self.countries and org.country not in self.countries:
            return False
        return not self.sectors or not self.sectors.isdisjoint(org.sectors)


@dataclass(frozen=True, slots=True)
class Community:
    """A named set of organisations: rule matches plus manual members, minus exclusions.

    Exclusions win over both rules and manual membership, so removing an organisation
    from a community is one entry that no later rule change silently undoes.
    """

    id: str
    name: str
    rules: tuple[CommunityRule, ...] = ()
    members: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def includes(self, org: Organisation) -> bool:
        """True when the organisation belongs to this community."""
        if org.id in self.excluded:
            return False
        return org.id in self.members or any(rule.matches(org) for rule in self.rules)

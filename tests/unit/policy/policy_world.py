"""A small fixed coalition the table-driven policy tests ask about.

nl-cert has two registered clients (nl-energy, active; nl-water, suspended); de-cert has one
(de-bank). Every organisation has one analyst ``p-<org>``; nl-cert has a second person,
the centre an admin, and de-cert an inactive account.
"""

from __future__ import annotations

from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Principal, Role
from shieldwall.model.sharing import Community, CommunityRule, TlpLevel
from shieldwall.policy import ObjectDescriptor, SnapshotDirectory

ORGS = (
    Organisation("centre", "Centre", OrgKind.CENTRE, "BE"),
    Organisation("nl-cert", "NL CERT", OrgKind.NATION, "NL", ("government",)),
    Organisation("nl-energy", "NL Energy", OrgKind.CIVIL, "NL", ("energy",), "nl-cert"),
    Organisation(
        "nl-water", "NL Water", OrgKind.CIVIL, "NL", ("water",), "nl-cert", OrgStatus.SUSPENDED
    ),
    Organisation("de-cert", "DE CERT", OrgKind.NATION, "DE", ("government",)),
    Organisation("de-bank", "DE Bank", OrgKind.INDUSTRY, "DE", ("finance",), "de-cert"),
    Organisation("fr-mil", "FR Military", OrgKind.MILITARY, "FR", ("defence", "energy")),
)

PEOPLE = (
    *(Person(f"p-{org.id}", org.id, org.name, f"a@{org.id}.example", Role.ANALYST) for org in ORGS),
    Person("p-nl-cert-2", "nl-cert", "Second", "b@nl-cert.example", Role.ANALYST),
    Person("p-centre-admin", "centre", "Admin", "admin@centre.example", Role.ADMIN),
    Person("p-de-gone", "de-cert", "Gone", "gone@de-cert.example", Role.ANALYST, active=False),
)

COMMUNITIES = (
    Community("energy", "Energy sector", (CommunityRule(sectors=frozenset({"energy"})),)),
    Community("nl", "Netherlands", (CommunityRule(countries=frozenset({"NL"})),)),
    Community(
        "nations",
        "National CERTs",
        (CommunityRule(kinds=frozenset({OrgKind.NATION})),),
        members=frozenset({"fr-mil"}),
        excluded=frozenset({"de-cert"}),
    ),
)

ALL_PEOPLE = tuple(person.id for person in PEOPLE)


def directory(defaults: dict[str, TlpLevel] | None = None) -> SnapshotDirectory:
    """The coalition as a snapshot, optionally with per-organisation unmarked defaults."""
    return SnapshotDirectory(ORGS, PEOPLE, COMMUNITIES, defaults)


def principal(person_id: str) -> Principal:
    """The principal a verified token for this person would give."""
    person = next(p for p in PEOPLE if p.id == person_id)
    org = next(o for o in ORGS if o.id == person.org_id)
    return Principal(person.id, org.id, person.role, org.kind, org.country, org.sectors)


def obj(
    producer: str = "nl-cert", *markings: str, **distribution: frozenset[str]
) -> ObjectDescriptor:
    """A descriptor produced by ``producer`` with the given marking ids and distribution."""
    return ObjectDescriptor("indicator--x", producer, tuple(markings), **distribution)

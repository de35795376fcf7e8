"""The demo coalition in a store: organisations, people who sign in, a sensor per member.

Everything is created through the access application, as an administrator would with the
CLI, so each creation is authorised and written to the audit log like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shieldwall import access
from shieldwall.demo.coalition import COALITION, DemoMember
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.runtime import Services

DEMO_PASSWORD = "shieldwall-demo-2026"
"""Every demo person's password: the demo is for a laptop, and says so when it starts."""

_KINDS = {
    "centre": OrgKind.CENTRE,
    "nation": OrgKind.NATION,
    "military": OrgKind.MILITARY,
    "operator": OrgKind.CIVIL,
    "partner": OrgKind.INDUSTRY,
}


@dataclass
class Coalition:
    """What the demo created: who signs in, and each member's sensor token."""

    people: dict[str, Principal] = field(default_factory=dict)
    """By e-mail: the principal each demo person acts as."""
    sensor_tokens: dict[str, str] = field(default_factory=dict)
    """By organisation: the secret of its sensor's token (for ingest)."""
    sensors: dict[str, Principal] = field(default_factory=dict)

    def first(self, org_id: str, role: str) -> Principal:
        """The first person of ``org_id`` with ``role`` (the one the demo acts as)."""
        for principal in self.people.values():
            if principal.org_id == org_id and principal.role == Role(role):
                return principal
        raise KeyError(f"{org_id}/{role}")


def create_coalition(services: Services, token_days: int = 30) -> Coalition:
    """Create every demo organisation, person and sensor; return how to act as each."""
    made = Coalition()
    for member in COALITION:
        _add_member(services, member, made, timedelta(days=token_days))
    return made


def _principal(person: Person, member: DemoMember) -> Principal:
    return Principal(
        person.id, member.org_id, person.role, _KINDS[member.kind], member.country,
        (member.sector,),
    )  # fmt: skip


def _add_member(services: Services, member: DemoMember, made: Coalition, ttl: timedelta) -> None:
    store, operator = services.store, access.OPERATOR
    organisation = Organisation(
        member.org_id, member.name, _KINDS[member.kind], member.country, (member.sector,)
    )
    access.add_organisation(store, operator, organisation)
    for demo in member.people:
        person = access.add_person(
            store, operator, Person("", member.org_id, demo.name, demo.email, Role(demo.role)),
            DEMO_PASSWORD,
        )  # fmt: skip
        made.people[demo.email] = _principal(person, member)
    sensor = access.add_person(
        store, operator,
        Person("", member.org_id, f"{member.name} sensor", f"sensor@{member.domain}", Role.SENSOR),
    )  # fmt: skip
    issued = access.create_token(store, operator, sensor.id, "demo sensor", ttl)
    made.sensor_tokens[member.org_id] = issued.secret
    made.sensors[member.org_id] = _principal(sensor, member)

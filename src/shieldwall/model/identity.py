"""Organisations, people, roles and principals: who may act and on whose behalf."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
"""Organisation ids: lower-case letters, digits and inner hyphens, 1 to 64 characters."""


class OrgKind(StrEnum):
    """What an organisation is; communities are built from rules on kind."""

    CENTRE = "centre"
    NATION = "nation"
    MILITARY = "military"
    CIVIL = "civil"
    INDUSTRY = "industry"


class OrgStatus(StrEnum):
    """A suspended organisation loses all access on its next request."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class Role(StrEnum):
    """Roles a person (or a sensor, a machine) holds in its organisation."""

    ADMIN = "admin"
    LEAD = "lead"
    ANALYST = "analyst"
    LIAISON = "liaison"
    SENSOR = "sensor"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A member of the coalition (or the centre itself)."""

    id: str
    name: str
    kind: OrgKind
    country: str
    sectors: tuple[str, ...] = ()
    parent_id: str | None = None
    """The organisation this one is a client of (TLP:AMBER reaches a recipient's clients)."""
    status: OrgStatus = OrgStatus.ACTIVE

    @property
    def active(self) -> bool:
        """True unless the organisation is suspended."""
        return self.status is OrgStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Person:
    """A person or a sensor; belongs to exactly one organisation."""

    id: str
    org_id: str
    name: str
    email: str
    role: Role
    active: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the authenticated person, their organisation and role.

    Built once per request from a verified token; every authorisation and every sharing
    decision takes a principal, never loose ids.
    """

    person_id: str
    org_id: str
    role: Role
    org_kind: OrgKind = OrgKind.CIVIL
    country: str = ""
    sectors: tuple[str, ...] = field(default_factory=tuple)
    token_id: str | None = None

    @property
    def is_centre_admin(self) -> bool:
        """Admins of the centre organisation administer the whole coalition."""
        return self.role is Role.ADMIN and self.org_kind is OrgKind.CENTRE

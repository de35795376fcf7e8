"""Request and response bodies. Requests forbid unknown fields (a typo is an error)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints

from shieldwall.model.audit import AuditEntry
from shieldwall.model.credentials import ApiToken
from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Role

Slug = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
Country = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{2}$")]
Name = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Strict(BaseModel):
    """Request bodies: unknown fields are refused with 422."""

    model_config = ConfigDict(extra="forbid")


class OrganisationIn(Strict):
    id: Slug
    name: Name
    kind: OrgKind
    country: Country
    sectors: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list, max_length=32
    )
    parent_id: Slug | None = None


class OrganisationOut(BaseModel):
    id: str
    name: str
    kind: OrgKind
    country: str
    sectors: list[str]
    parent_id: str | None
    status: OrgStatus

    @classmethod
    def of(cls, org: Organisation) -> OrganisationOut:
        return cls(
            id=org.id,
            name=org.name,
            kind=org.kind,
            country=org.country,
            sectors=list(org.sectors),
            parent_id=org.parent_id,
            status=org.status,
        )


class PersonIn(Strict):
    name: Name
    email: Email
    role: Role
    password: Annotated[str, StringConstraints(min_length=12, max_length=1024)] | None = None


class PersonOut(BaseModel):
    id: str
    org_id: str
    name: str
    email: str
    role: Role
    active: bool

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(
            id=person.id,
            org_id=person.org_id,
            name=person.name,
            email=person.email,
            role=person.role,
            active=person.active,
        )


class LoginIn(Strict):
    email: Email
    password: Annotated[StrictStr, StringConstraints(min_length=1, max_length=1024)]


class TokenIn(Strict):
    person_id: str | None = None
    name: Name
    ttl_days: StrictInt = Field(default=90, ge=1, le=3650)


class TokenOut(BaseModel):
    id: str
    person_id: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            person_id=token.person_id,
            name=token.name,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class IssuedTokenOut(TokenOut):
    secret: str = Field(description="The token itself. Shown once; store it now.")


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    principal: str
    org_id: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    detail: str
    hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
            at=entry.at,
            principal=entry.principal,
            org_id=entry.org_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            outcome=entry.outcome.value,
            detail=entry.detail,
            hash=entry.hash,
        )


class VerifyOut(BaseModel):
    entries: int
    intact: bool
    first_problem_seq: int | None = None
    kind: str | None = None
    message: str | None = None


class Me(BaseModel):
    person_id: str
    org_id: str
    role: Role

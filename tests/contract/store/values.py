"""Small domain values the store contract writes, one builder per aggregate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shieldwall.model.audit import AuditRecord
from shieldwall.model.credentials import ApiToken
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.model.intel import (
    Audience,
    CollectionRecord,
    IndexTerm,
    NewVersion,
    StatusRecord,
)
from shieldwall.model.sharing import Community, CommunityRule
from shieldwall.store.protocols import FeedState

T0 = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def org(org_id: str = "cert-fr", name: str = "CERT-FR") -> Organisation:
    return Organisation(org_id, name, OrgKind.NATION, "FR", ("gov",))


def person(person_id: str = "p-1", email: str = "ana@cert.fr", org_id: str = "cert-fr") -> Person:
    return Person(person_id, org_id, "Ana", email, Role.ANALYST, created_at=T0)


def token(token_id: str = "t1", person_id: str = "p-1") -> ApiToken:
    return ApiToken(token_id, person_id, "laptop", T0, T0 + timedelta(days=30))


def version(
    stix_id: str = "indicator--00000000-0000-4000-8000-000000000001",
    month: int = 1,
    *,
    producer: str = "cert-fr",
    tlp: int | None = 1,
    recipients: frozenset[str] = frozenset(),
    term: str = "198.51.100.23",
) -> NewVersion:
    return NewVersion(
        stix_id=stix_id,
        stix_type=stix_id.split("--", 1)[0],
        version=datetime(2024, month, 1, 8, 30, 0, 5, tzinfo=UTC),
        spec_version="2.1",
        audience=Audience(producer, tlp, recipient_org_ids=recipients),
        body=f'{{"id": "{stix_id}", "month": {month}}}',
        refs=("identity--00000000-0000-4000-8000-0000000000aa",),
        terms=(IndexTerm("ipv4", term),),
    )


def audit(number: int = 1, org_id: str = "cert-fr") -> AuditRecord:
    return AuditRecord(f"p-{number}", org_id, "org.create", "organisation", f"o-{number}")


def collection(collection_id: str = "c-1", subject: str = "cert-fr") -> CollectionRecord:
    return CollectionRecord(collection_id, "member", subject, f"Shared by {subject}", "", 2)


def status(status_id: str = "s-1") -> StatusRecord:
    success = ({"id": "indicator--1", "version": "2024-01-01T00:00:00Z"},)
    return StatusRecord(status_id, "cert-fr", "p-1", T0, 1, success, ())


def community(community_id: str = "energy", name: str = "Energy") -> Community:
    rule = CommunityRule(kinds=frozenset({OrgKind.CIVIL}), sectors=frozenset({"energy"}))
    return Community(community_id, name, (rule,), frozenset({"grid-fr"}), frozenset({"x"}))


def feed(name: str = "partner", runs: int = 1) -> FeedState:
    return FeedState(name, "2024-03-01T12:00:00.123456Z", T0, T0, "", 7, runs)

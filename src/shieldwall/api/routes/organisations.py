"""Members of the coalition and their people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import Field, StringConstraints

from shieldwall import access
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import OrganisationIn, OrganisationOut, PersonIn, PersonOut, Strict
from shieldwall.model.identity import Organisation, OrgStatus, Person

router = APIRouter(prefix="/api/v1", tags=["organisations"])


@router.get("/organisations")
def list_organisations(svc: ServicesDep, who: PrincipalDep) -> list[OrganisationOut]:
    """Organisations the caller may see: its own; every one for the centre."""
    return [OrganisationOut.of(org) for org in access.list_organisations(svc.store, who)]


@router.post("/organisations", status_code=status.HTTP_201_CREATED)
def add_organisation(body: OrganisationIn, svc: ServicesDep, who: PrincipalDep) -> OrganisationOut:
    """Register a member (centre admins only)."""
    org = Organisation(
        id=body.id,
        name=body.name,
        kind=body.kind,
        country=body.country,
        sectors=tuple(body.sectors),
        parent_id=body.parent_id,
    )
    return OrganisationOut.of(access.add_organisation(svc.store, who, org))


@router.get("/organisations/{org_id}")
def get_organisation(org_id: str, svc: ServicesDep, who: PrincipalDep) -> OrganisationOut:
    """One organisation, if the caller may see it (404 otherwise)."""
    return OrganisationOut.of(access.get_organisation(svc.store, who, org_id))


@router.post("/organisations/{org_id}/suspend")
def suspend_organisation(org_id: str, svc: ServicesDep, who: PrincipalDep) -> OrganisationOut:
    """Cut a member's access from its next request on (centre admins only)."""
    access.set_org_status(svc.store, who, org_id, OrgStatus.SUSPENDED)
    return OrganisationOut.of(access.get_organisation(svc.store, who, org_id))


@router.post("/organisations/{org_id}/reactivate")
def reactivate_organisation(org_id: str, svc: ServicesDep, who: PrincipalDep) -> OrganisationOut:
    """Restore a suspended member's access (centre admins only)."""
    access.set_org_status(svc.store, who, org_id, OrgStatus.ACTIVE)
    return OrganisationOut.of(access.get_organisation(svc.store, who, org_id))


@router.get("/organisations/{org_id}/people")
def list_people(org_id: str, svc: ServicesDep, who: PrincipalDep) -> list[PersonOut]:
    """People of an organisation the caller may see."""
    return [PersonOut.of(person) for person in access.list_people(svc.store, who, org_id)]


@router.post("/organisations/{org_id}/people", status_code=status.HTTP_201_CREATED)
def add_person(org_id: str, body: PersonIn, svc: ServicesDep, who: PrincipalDep) -> PersonOut:
    """Add a person or sensor to an organisation (its lead, or the centre)."""
    person = Person(id="", org_id=org_id, name=body.name, email=body.email, role=body.role)
    return PersonOut.of(access.add_person(svc.store, who, person, body.password))


@router.get("/people/{person_id}")
def get_person(person_id: str, svc: ServicesDep, who: PrincipalDep) -> PersonOut:
    """One person, if in an organisation the caller may see."""
    return PersonOut.of(access.get_person(svc.store, who, person_id))


class SectorsIn(Strict):
    """The sectors the member is in, replacing those it had."""

    sectors: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        max_length=32
    )


@router.put("/organisations/{org_id}/sectors")
def set_sectors(
    org_id: str, body: SectorsIn, svc: ServicesDep, who: PrincipalDep
) -> OrganisationOut:
    """Set a member's sectors (centre admins only); posture is kept per sector."""
    return OrganisationOut.of(access.set_sectors(svc.store, who, org_id, body.sectors))

"""Communities over REST: the centre manages them; members see the ones they belong to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, StringConstraints

from shieldwall import access
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Country, Name, Slug, Strict
from shieldwall.model.identity import OrgKind
from shieldwall.model.sharing import Community, CommunityRule

router = APIRouter(prefix="/api/v1", tags=["communities"])
Sector = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RuleIn(Strict):
    """Organisations matching every criterion set here (an empty list matches all)."""

    kinds: list[OrgKind] = Field(default_factory=list, max_length=8)
    countries: list[Country] = Field(default_factory=list, max_length=64)
    sectors: list[Sector] = Field(default_factory=list, max_length=64)


class CommunityIn(Strict):
    """Rules are OR-ed; ``members`` join by hand; ``excluded`` win over both."""

    id: Slug
    name: Name
    rules: list[RuleIn] = Field(default_factory=list, max_length=32)
    members: list[Slug] = Field(default_factory=list, max_length=1000)
    excluded: list[Slug] = Field(default_factory=list, max_length=1000)

    def community(self) -> Community:
        return Community(
            id=self.id,
            name=self.name,
            rules=tuple(
                CommunityRule(frozenset(r.kinds), frozenset(r.countries), frozenset(r.sectors))
                for r in self.rules
            ),
            members=frozenset(self.members),
            excluded=frozenset(self.excluded),
        )


class CommunityUpdate(Strict):
    """A whole new definition of an existing community (its id comes from the path)."""

    name: Name
    rules: list[RuleIn] = Field(default_factory=list, max_length=32)
    members: list[Slug] = Field(default_factory=list, max_length=1000)
    excluded: list[Slug] = Field(default_factory=list, max_length=1000)


class RuleOut(BaseModel):
    kinds: list[str]
    countries: list[str]
    sectors: list[str]


class CommunityOut(BaseModel):
    id: str
    name: str
    rules: list[RuleOut]
    members: list[str]
    excluded: list[str]
    member_ids: list[str] = Field(description="The organisations it holds now.")

    @classmethod
    def of(cls, view: access.CommunityView) -> CommunityOut:
        c = view.community
        return cls(
            id=c.id,
            name=c.name,
            rules=[
                RuleOut(
                    kinds=sorted(r.kinds), countries=sorted(r.countries), sectors=sorted(r.sectors)
                )
                for r in c.rules
            ],
            members=sorted(c.members),
            excluded=sorted(c.excluded),
            member_ids=list(view.member_ids),
        )


@router.get("/communities")
def list_communities(svc: ServicesDep, who: PrincipalDep) -> list[CommunityOut]:
    """All communities for the centre; those the caller's organisation belongs to otherwise."""
    return [CommunityOut.of(v) for v in access.list_communities(svc.store, who)]


@router.post("/communities", status_code=status.HTTP_201_CREATED)
def add_community(body: CommunityIn, svc: ServicesDep, who: PrincipalDep) -> CommunityOut:
    """Create a community (centre admins only)."""
    return CommunityOut.of(access.add_community(svc.store, who, body.community()))


@router.get("/communities/{community_id}")
def get_community(community_id: str, svc: ServicesDep, who: PrincipalDep) -> CommunityOut:
    """One community the caller belongs to (or any, for the centre)."""
    return CommunityOut.of(access.get_community(svc.store, who, community_id))


@router.put("/communities/{community_id}")
def update_community(
    community_id: str, body: CommunityUpdate, svc: ServicesDep, who: PrincipalDep
) -> CommunityOut:
    """Replace a community's rules and membership (centre admins only)."""
    whole = CommunityIn(
        id=community_id,
        name=body.name,
        rules=body.rules,
        members=body.members,
        excluded=body.excluded,
    )
    return CommunityOut.of(access.update_community(svc.store, who, whole.community()))

"""Communities: named sets of organisations, by rule (kind, country, sector) and by hand.

The centre's admins create communities and change their membership rules; members see
the communities they belong to now (a community they are not in is "not found"). Every
change is audited in its transaction. Membership is computed by the gate on every
request (:meth:`Community.includes`), so a change applies from the next request on; the
TAXII collection of a new community appears on the next collections listing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import ConflictError, InputError, NotFoundError
from shieldwall.model.identity import SLUG_PATTERN, Organisation, Principal
from shieldwall.model.sharing import Community, CommunityRule
from shieldwall.policy.roles import Action, authorise
from shieldwall.store.protocols import Store, UnitOfWork


@dataclass(frozen=True, slots=True)
class CommunityView:
    """A community and the organisations it holds now."""

    community: Community
    member_ids: tuple[str, ...]


def list_communities(store: Store, principal: Principal) -> list[CommunityView]:
    """Every community for the centre; the caller's own communities for a member."""
    authorise(principal, Action.COMMUNITY_READ, principal.org_id)
    with store.transaction() as tx:
        orgs = list(tx.organisations.list())
        views = [_view(c, orgs) for c in tx.communities.list()]
    if principal.is_centre_admin:
        return views
    return [v for v in views if principal.org_id in v.member_ids]


def get_community(store: Store, principal: Principal, community_id: str) -> CommunityView:
    """One community, if the caller is the centre or belongs to it (404 otherwise)."""
    with store.transaction() as tx:
        view = _visible(tx, principal, community_id)
    authorise(principal, Action.COMMUNITY_READ, principal.org_id)
    return view


def add_community(store: Store, principal: Principal, community: Community) -> CommunityView:
    """Create a community (centre admins only)."""
    authorise(principal, Action.COMMUNITY_MANAGE, None)
    _check(community)
    with store.transaction() as tx:
        if tx.communities.get(community.id) is not None:
            raise ConflictError(f"community {community.id} already exists")
        tx.communities.add(community)
        tx.audit.append(_record(principal, "community.create", community))
        return _view(community, list(tx.organisations.list()))


def update_community(store: Store, principal: Principal, community: Community) -> CommunityView:
    """Replace a community's name, rules, members and exclusions (centre admins only)."""
    with store.transaction() as tx:
        _visible(tx, principal, community.id)
    authorise(principal, Action.COMMUNITY_MANAGE, None)
    _check(community)
    with store.transaction() as tx:
        tx.communities.update(community)
        tx.audit.append(_record(principal, "community.update", community))
        return _view(community, list(tx.organisations.list()))


def _visible(tx: UnitOfWork, principal: Principal, community_id: str) -> CommunityView:
    found = tx.communities.get(community_id)
    if found is None:
        raise NotFoundError(f"community {community_id} not found")
    view = _view(found, list(tx.organisations.list()))
    if not principal.is_centre_admin and principal.org_id not in view.member_ids:
        raise NotFoundError(f"community {community_id} not found")
    return view


def _view(community: Community, orgs: Sequence[Organisation]) -> CommunityView:
    return CommunityView(community, tuple(o.id for o in orgs if community.includes(o)))


def _check(community: Community) -> None:
    if not SLUG_PATTERN.match(community.id):
        raise InputError("lower-case letters, digits and inner hyphens only", place="id")
    if not community.name.strip():
        raise InputError("a community needs a name", place="name")
    for index, rule in enumerate(community.rules):
        _check_rule(rule, index)


def _check_rule(rule: CommunityRule, index: int) -> None:
    for country in rule.countries:
        if len(country) != 2 or not country.isupper():
            raise InputError(f"{country!r} is not ISO 3166 alpha-2", place=f"rules[{index}]")


def _record(principal: Principal, action: str, community: Community) -> AuditRecord:
    rules = "; ".join(
        f"kinds={','.join(sorted(r.kinds))} countries={','.join(sorted(r.countries))} "
        f"sectors={','.join(sorted(r.sectors))}"
        for r in community.rules
    )
    return AuditRecord(
        principal=principal.person_id,
        org_id=principal.org_id,
        action=action,
        object_type="community",
        object_id=community.id,
        detail=f"rules: {rules or '-'}; members: {','.join(sorted(community.members)) or '-'}; "
        f"excluded: {','.join(sorted(community.excluded)) or '-'}",
    )

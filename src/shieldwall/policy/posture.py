"""Who may see which threat levels: the gate for posture (docs/posture.md).

Posture is kept for the members (every organisation but the centre). A member's level is
computed from its own incidents, so it tells as much as they do. The
centre, which sees every incident, sees every level. A member's people see:

* their own member's level;
* the level of each sector their member is in, and the coalition's — but only when that
  group has at least ``min_group`` members (3 by default): a group of two would give the
  other member's level away, and who is hit is never told ("seen at N other members");
* never another member's level, whatever the sectors they share.

A member sees the score behind its own level only; a sector's or the coalition's score
is the sum of its members' and would tell the others' sum, so it gets the level alone. A
level the principal may not see is *not found*, exactly like a scope that does not
exist; a history lists only the scopes the principal may see. Recomputing every level on
demand is for the centre's analysts, leads and admins (:data:`Action.POSTURE_RECOMPUTE`
and the centre organisation); a member's people may not, since it costs the whole
coalition's signals. Who may do which is the one table,
:data:`shieldwall.policy.roles.PERMISSIONS`.
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.errors import PermissionDeniedError
from shieldwall.model.identity import Organisation, OrgKind, Principal
from shieldwall.model.posture import COALITION_KEY, ScopeKind
from shieldwall.policy.roles import Action, may

MIN_GROUP = 3
"""Members a sector (or the coalition) must have before a member sees its level."""

Scope = tuple[ScopeKind, str]


def posture_scope(
    principal: Principal, orgs: Sequence[Organisation], min_group: int = MIN_GROUP
) -> frozenset[Scope] | None:
    """The scopes whose levels the principal may see; None for every one (the centre)."""
    if not may(principal.role, Action.POSTURE_READ):
        raise PermissionDeniedError(f"role {principal.role} may not read posture")
    if principal.org_kind is OrgKind.CENTRE:
        return None
    own = next((org for org in orgs if org.id == principal.org_id), None)
    if own is None:  # a token whose organisation is gone sees nothing, like an empty one
        return frozenset()
    members = [org for org in orgs if org.kind is not OrgKind.CENTRE]
    scopes: set[Scope] = {(ScopeKind.MEMBER, own.id)}
    for sector in set(own.sectors):
        size = sum(1 for org in members if sector in org.sectors)
        if size >= min_group:
            scopes.add((ScopeKind.SECTOR, sector))
    if len(members) >= min_group:
        scopes.add((ScopeKind.COALITION, COALITION_KEY))
    return frozenset(scopes)


def may_see_level(
    principal: Principal,
    orgs: Sequence[Organisation],
    scope: Scope,
    min_group: int = MIN_GROUP,
) -> bool:
    """Whether one scope's level exists for this principal."""
    allowed = posture_scope(principal, orgs, min_group)
    return allowed is None or scope in allowed


def shows_score(principal: Principal, scope: Scope) -> bool:
    """Whether the principal sees the score behind a level it may see, not the level only.

    A sector's or the coalition's score is the sum of its members' scores: a member
    knowing its own would learn the sum of the others'. It sees its own member's score;
    the centre sees every score."""
    return principal.org_kind is OrgKind.CENTRE or scope[0] is ScopeKind.MEMBER


def require_recompute(principal: Principal) -> None:
    """PermissionDeniedError unless the principal may recompute posture now."""
    if not may(principal.role, Action.POSTURE_RECOMPUTE) or principal.org_kind is not (
        OrgKind.CENTRE
    ):
        raise PermissionDeniedError("only the centre's analysts may recompute posture")

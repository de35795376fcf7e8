"""Who may see and change which detection rules: the gate for the managed rule sets.

The centre's rule set applies to every member's events and its people read it; a
member's own rules apply to its events alone and are its own business: its people read
and change them, the centre's staff read them all, and no other member learns they
exist — a rule of another member is *not found*, exactly like an absent one. Who may do
which is the one permission table, :data:`shieldwall.policy.roles.PERMISSIONS`.
"""

from __future__ import annotations

from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import OrgKind, Principal
from shieldwall.model.rules import CENTRE_SET
from shieldwall.policy.roles import Action, may


def rule_scope(principal: Principal) -> frozenset[str] | None:
    """The rule sets (owners) the principal may read; None for every one (the centre)."""
    if not may(principal.role, Action.RULE_READ):
        raise PermissionDeniedError(f"role {principal.role} may not read rules")
    if principal.org_kind is OrgKind.CENTRE:
        return None
    return frozenset({CENTRE_SET, principal.org_id})


def may_see_rules_of(principal: Principal, owner: str) -> bool:
    """Whether rules of ``owner`` exist for this principal."""
    scope = rule_scope(principal)
    return scope is None or owner in scope


def own_rule_set(principal: Principal) -> str:
    """The rule set the principal's changes go to: the centre's, or its member's own."""
    return CENTRE_SET if principal.org_kind is OrgKind.CENTRE else principal.org_id


def require_manage_rules(principal: Principal, owner: str) -> None:
    """NotFoundError for a set the principal may not see; PermissionDeniedError unless it
    may change ``owner``'s rules (its own set; the centre's admins: any)."""
    if not may_see_rules_of(principal, owner):
        raise NotFoundError("not found")
    if not may(principal.role, Action.RULE_MANAGE):
        raise PermissionDeniedError(f"role {principal.role} may not change rules")
    if owner != own_rule_set(principal) and not principal.is_centre_admin:
        raise PermissionDeniedError("only the rule set's own organisation changes it")

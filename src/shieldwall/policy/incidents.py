"""Who may see and handle which incidents: the gate for the fuse stage's output.

An incident groups one member's alerts, so it is that member's, like its alerts: its
people see it, the centre sees every member's, and no other member learns it exists — an
incident another member may not see is *not found*, exactly like an absent one (what
members learn of each other's incidents is what they release to their campaigns, through
the sharing gate: :mod:`.campaigns`). Handling one (assigning, changing its status,
commenting) needs :data:`Action.INCIDENT_MANAGE` on top (analysts, leads, admins; not
liaisons, never sensors). Who may do which is the one permission table,
:data:`shieldwall.policy.roles.PERMISSIONS`.
"""

from __future__ import annotations

from shieldwall.model.errors import PermissionDeniedError
from shieldwall.model.identity import OrgKind, Person, Principal, Role
from shieldwall.policy.roles import Action, may


def incident_scope(principal: Principal) -> frozenset[str] | None:
    """The organisations whose incidents the principal may see; None for every one."""
    if not may(principal.role, Action.INCIDENT_READ):
        raise PermissionDeniedError(f"role {principal.role} may not read incidents")
    if principal.org_kind is OrgKind.CENTRE:
        return None
    return frozenset({principal.org_id})


def may_see_incident(principal: Principal, org_id: str) -> bool:
    """Whether an incident of ``org_id`` exists for this principal."""
    scope = incident_scope(principal)
    return scope is None or org_id in scope


def require_manage(principal: Principal) -> None:
    """PermissionDeniedError unless the principal's role may handle incidents it sees."""
    if not may(principal.role, Action.INCIDENT_MANAGE):
        raise PermissionDeniedError(f"role {principal.role} may not handle incidents")


def may_be_assigned(person: Person, incident_org: str, person_org_kind: OrgKind) -> bool:
    """An incident goes to an active person (not a sensor) of its member or of the centre."""
    if not person.active or person.role is Role.SENSOR:
        return False
    return person.org_id == incident_org or person_org_kind is OrgKind.CENTRE

"""Who may see which alerts, and who may send telemetry: the gate for the live pipeline.

An alert is raised from one member's own telemetry, so it is that member's: its people
see it, and the centre, which watches every member around the clock, sees all of them.
No other member sees it, and an alert it may not see is *not found*, exactly like one
that does not exist. (What members learn of each other's incidents, through campaigns,
is decided when incidents exist; an alert itself is never shared.) Sensors are machines:
they send telemetry and read nothing. Who may do which is the one permission table,
:data:`shieldwall.policy.roles.PERMISSIONS`.
"""

from __future__ import annotations

from shieldwall.model.errors import PermissionDeniedError
from shieldwall.model.identity import OrgKind, Principal
from shieldwall.policy.roles import Action, may


def require_telemetry(principal: Principal) -> str:
    """The organisation the telemetry belongs to: always the caller's own, never the body's."""
    if not may(principal.role, Action.TELEMETRY_SEND):
        raise PermissionDeniedError(f"role {principal.role} may not send telemetry")
    return principal.org_id


def alert_scope(principal: Principal) -> frozenset[str] | None:
    """The organisations whose alerts the principal may see; None for every one."""
    if not may(principal.role, Action.ALERT_READ):
        raise PermissionDeniedError(f"role {principal.role} may not read alerts")
    if principal.org_kind is OrgKind.CENTRE:
        return None
    return frozenset({principal.org_id})


def may_see_alert(principal: Principal, org_id: str) -> bool:
    """Whether an alert of ``org_id`` exists for this principal."""
    scope = alert_scope(principal)
    return scope is None or org_id in scope

"""Who may administer what: role- and organisation-based access to the service itself.

This is the access side of the one gate (``policy/``): sharing of intelligence is decided by
the TLP gate; administration of members, people, tokens and the audit log by the rules here.
Two answers exist on purpose: an object in an organisation the principal may not see is
*not found* (no existence oracle); an object the principal may see but not act on is
*permission denied*.
"""

from __future__ import annotations

from enum import StrEnum

from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Principal, Role


class Action(StrEnum):
    """Administrative actions, each checked against role and organisation."""

    ORG_READ = "org.read"
    ORG_CREATE = "org.create"
    ORG_SUSPEND = "org.suspend"
    PERSON_READ = "person.read"
    PERSON_CREATE = "person.create"
    TOKEN_READ = "token.read"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    INTEL_PUBLISH = "intel.publish"
    COMMUNITY_READ = "community.read"
    COMMUNITY_MANAGE = "community.manage"


CENTRE_ONLY = frozenset(
    {Action.ORG_CREATE, Action.ORG_SUSPEND, Action.AUDIT_VERIFY, Action.COMMUNITY_MANAGE}
)
"""Coalition-wide actions: only an admin of the centre organisation may take them."""

OWN_ORG_ROLES: dict[Action, frozenset[Role]] = {
    Action.ORG_READ: frozenset({Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}),
    Action.PERSON_READ: frozenset({Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}),
    Action.PERSON_CREATE: frozenset({Role.ADMIN, Role.LEAD}),
    Action.TOKEN_READ: frozenset({Role.ADMIN, Role.LEAD}),
    Action.TOKEN_CREATE: frozenset({Role.ADMIN, Role.LEAD}),
    Action.TOKEN_REVOKE: frozenset({Role.ADMIN, Role.LEAD}),
    Action.AUDIT_READ: frozenset({Role.ADMIN, Role.LEAD}),
    Action.INTEL_PUBLISH: frozenset({Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}),
    Action.COMMUNITY_READ: frozenset({Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}),
}
"""Roles that may take an action on objects of their own organisation."""

SELF_SERVICE = frozenset({Action.TOKEN_READ, Action.TOKEN_CREATE, Action.TOKEN_REVOKE})
"""Actions anyone but a sensor may take on their own tokens."""


def can_see_org(principal: Principal, org_id: str) -> bool:
    """Whether the principal may know that objects of ``org_id`` exist at all."""
    return principal.is_centre_admin or principal.org_id == org_id


def authorise(
    principal: Principal, action: Action, org_id: str | None, *, own_person: bool = False
) -> None:
    """Raise NotFoundError or PermissionDeniedError unless the principal may act.

    ``org_id`` is the organisation owning the object (None for coalition-wide actions);
    ``own_person`` says the object belongs to the principal themself (their own token).
    """
    if principal.is_centre_admin:
        return
    if org_id is not None and not can_see_org(principal, org_id):
        raise NotFoundError("not found")
    if action in CENTRE_ONLY:
        raise PermissionDeniedError(f"{action} needs an admin of the centre")
    if own_person and action in SELF_SERVICE and principal.role is not Role.SENSOR:
        return
    if principal.role not in OWN_ORG_ROLES.get(action, frozenset()):
        raise PermissionDeniedError(f"the {principal.role} role may not {action}")


def assignable_roles(principal: Principal) -> frozenset[Role]:
    """Roles the principal may give to people it creates (no one escalates above itself)."""
    if principal.is_centre_admin:
        return frozenset(Role)
    if principal.role in (Role.ADMIN, Role.LEAD):
        return frozenset({Role.LEAD, Role.ANALYST, Role.LIAISON, Role.SENSOR})
    return frozenset()

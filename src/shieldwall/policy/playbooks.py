"""Who may see and act on playbooks, runs and approvals: the gate for ``respond/playbooks``.

A playbook belongs to the organisation that imported it; a run concerns the organisation
it was started for and every member named in one of its approvals. The centre sees every
one; a member sees only its own playbooks and the runs that concern it, and any other is
*not found*, exactly like an absent one. An approval is decided by a lead of the centre
(one lead approves for the coalition) or, when members are named, by a lead of each named
member, one vote per organisation. Who may do what is the one permission table,
:data:`shieldwall.policy.roles.PERMISSIONS`.
"""

from __future__ import annotations

from collections.abc import Collection

from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.policy.roles import Action, may

APPROVER_ROLES = frozenset({Role.LEAD, Role.ADMIN})


def require(principal: Principal, action: Action) -> None:
    """PermissionDeniedError unless the principal's role may take ``action``."""
    if not may(principal.role, action):
        raise PermissionDeniedError(f"the {principal.role} role may not {action}")


def playbook_scope(principal: Principal) -> frozenset[str] | None:
    """Organisations whose playbooks and runs the principal sees; None for every one."""
    require(principal, Action.PLAYBOOK_READ)
    if principal.org_kind is OrgKind.CENTRE:
        return None
    return frozenset({principal.org_id})


def may_see_playbook(principal: Principal, org_id: str) -> bool:
    """Whether a playbook of ``org_id`` exists for the principal."""
    scope = playbook_scope(principal)
    return scope is None or org_id in scope


def may_see_run(principal: Principal, concerns: Collection[str]) -> bool:
    """Whether a run concerning ``concerns`` exists for the principal."""
    scope = playbook_scope(principal)
    return scope is None or bool(scope & set(concerns))


def visible_run(principal: Principal, concerns: Collection[str] | None) -> None:
    """NotFoundError for a run that is absent (None) or hidden: the same answer."""
    if concerns is None or not may_see_run(principal, concerns):
        raise NotFoundError("run not found")


def voting_org(principal: Principal, members: Collection[str]) -> str:
    """The organisation the principal decides for on this approval, or an error.

    Not concerned at all (a member not named): not found. Concerned but not a lead:
    permission denied."""
    centre = principal.org_kind is OrgKind.CENTRE
    named = principal.org_id in members
    if centre and members and not named:
        raise PermissionDeniedError("only the named members decide this approval")
    if not (named or (centre and not members)):
        raise NotFoundError("approval not found")
    require(principal, Action.PLAYBOOK_APPROVE)
    if principal.role not in APPROVER_ROLES:
        raise PermissionDeniedError("only a lead decides an approval")
    return principal.org_id


def may_trigger(owner: Principal, subject_org: object) -> bool:
    """Whether an event about an object of ``subject_org`` may start the owner's playbook.

    A member's playbook starts only on its own alerts, incidents and objects; the centre's
    on any member's. An event naming no organisation starts only the centre's playbooks
    (whoever wires such events decides visibility through the sharing gate first)."""
    if owner.org_kind is OrgKind.CENTRE:
        return True
    return isinstance(subject_org, str) and subject_org == owner.org_id

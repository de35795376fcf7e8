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
    """What a principal may ask for, each checked against role and organisation."""

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
    INTEL_READ = "intel.read"
    INTEL_PUBLISH = "intel.publish"
    COMMUNITY_READ = "community.read"
    COMMUNITY_MANAGE = "community.manage"
    SELF_READ = "self.read"
    """Who am I (``GET /api/v1/me``): every authenticated principal."""
    PASSWORD_LOGIN = "session.login"
    """Exchange an e-mail and a password for a token; machines use issued tokens only."""
    TELEMETRY_SEND = "telemetry.send"
    MEASURES_READ = "measures.read"
    """Protective measures addressed to the organisation (blocklists, rules)."""
    ALERT_READ = "alert.read"
    """Alerts raised from the organisation's telemetry (the centre's staff: every member's)."""
    INCIDENT_READ = "incident.read"
    """Incidents grouping the organisation's alerts (the centre's staff: every member's)."""
    INCIDENT_MANAGE = "incident.manage"
    """Assign, move through the status flow, comment: analysts, leads and admins."""
    CAMPAIGN_READ = "campaign.read"
    """Campaigns the organisation is part of (its own part, and how many others)."""
    POSTURE_READ = "posture.read"
    """Threat levels: the organisation's own, its sectors', the coalition's (centre: all)."""
    POSTURE_RECOMPUTE = "posture.recompute"
    """Recompute every level now (the centre's analysts, leads, admins; policy/posture.py)."""
    STREAM_READ = "stream.read"
    """The live stream of new alerts and incidents, each passed through the gate."""
    REPORT_READ = "report.read"
    """Situation reports made for the organisation from what it may see (the SITREP)."""
    MEASURES_ISSUE = "measures.issue"
    """Issue and withdraw protective measures (blocks) in the organisation's name."""
    MEASURES_SUBSCRIBE = "measures.subscribe"
    """Manage the organisation's subscriptions to measures and its own allow-list."""
    MEASURES_ALLOW_COALITION = "measures.allow-coalition"
    """Manage the coalition-wide allow-list: only admins (of the centre) hold it."""
    CASE_READ = "case.read"
    """Cases the organisation is a party to (its own, opened by it, or shared with it)."""
    CASE_WORK = "case.work"
    """Open a case, add tasks, observables, evidence, comments; status and assignment."""
    CASE_SHARE = "case.share"
    """Share a case with another member (or stop): leads and admins of its owners."""
    HANDOVER_TAKE = "handover.take"
    """Record a shift handover (reading what changed since the last one is CASE_READ)."""
    RULE_READ = "rule.read"
    """Detection rules: the centre's and the organisation's own (the centre's staff: all)."""
    RULE_MANAGE = "rule.manage"
    """Add, change, enable, disable the organisation's rules (the centre's: its own set)."""
    NOTIFY_SEND = "notify.send"
    """Send a notification through the gate to members' channels (playbooks, analysts)."""
    NOTIFY_MANAGE = "notify.manage"
    """The organisation's channels: add, list, test; its dead letters: see, re-drive."""
    ASSIST_READ = "assist.read"
    """Requests for assistance the gate lets the organisation see, with their offers."""
    ASSIST_ACT = "assist.act"
    """Ask for help, offer it, accept offers, report progress, close a request."""
    PLAYBOOK_READ = "playbook.read"
    """Playbooks of the organisation, runs that concern it, their journals and approvals."""
    PLAYBOOK_MANAGE = "playbook.manage"
    """Import, validate and export playbooks and their triggers: leads and admins."""
    PLAYBOOK_RUN = "playbook.run"
    """Start a playbook by hand (or dry-run it): analysts, leads and admins."""
    PLAYBOOK_APPROVE = "playbook.approve"
    """Approve or reject a waiting step for the organisation: its leads (and admins)."""


CENTRE_ONLY = frozenset(
    {Action.ORG_CREATE, Action.ORG_SUSPEND, Action.AUDIT_VERIFY, Action.COMMUNITY_MANAGE}
)
"""Coalition-wide actions: only an admin of the centre organisation may take them."""

_STAFF = frozenset(
    {
        Action.ORG_READ,
        Action.PERSON_READ,
        Action.INTEL_READ,
        Action.INTEL_PUBLISH,
        Action.COMMUNITY_READ,
        Action.SELF_READ,
        Action.PASSWORD_LOGIN,
        Action.TELEMETRY_SEND,
        Action.MEASURES_READ,
        Action.ALERT_READ,
        Action.INCIDENT_READ,
        Action.CAMPAIGN_READ,
        Action.POSTURE_READ,
        Action.STREAM_READ,
        Action.REPORT_READ,
        Action.ASSIST_READ,
        Action.ASSIST_ACT,
    }
)
_LEAD = _STAFF | {
    Action.INCIDENT_MANAGE,
    Action.POSTURE_RECOMPUTE,
    Action.PERSON_CREATE,
    Action.TOKEN_READ,
    Action.TOKEN_CREATE,
    Action.TOKEN_REVOKE,
    Action.AUDIT_READ,
    Action.MEASURES_ISSUE,
    Action.MEASURES_SUBSCRIBE,
    Action.NOTIFY_SEND,
    Action.NOTIFY_MANAGE,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.LEAD: _LEAD,
    Role.ANALYST: _STAFF | {Action.INCIDENT_MANAGE, Action.POSTURE_RECOMPUTE, Action.NOTIFY_SEND},
    Role.LIAISON: _STAFF,
    Role.SENSOR: frozenset({Action.SELF_READ, Action.TELEMETRY_SEND, Action.MEASURES_READ}),
}
"""The permission table: what each role may do, on objects of its own organisation.

The centre's admins may also act in every organisation, and alone take the coalition-wide
actions (:data:`CENTRE_ONLY`); an admin outside the centre cannot exist. A sensor is a
machine: it sends telemetry and reads the protective measures meant for it, and nothing
else — no intelligence, no people, no tokens, and no password (docs/operations.md)."""
_PLAYBOOK_GRANTS: dict[Role, frozenset[Action]] = {
    Role.LEAD: frozenset(
        {Action.PLAYBOOK_READ, Action.PLAYBOOK_MANAGE, Action.PLAYBOOK_RUN, Action.PLAYBOOK_APPROVE}
    ),
    Role.ANALYST: frozenset({Action.PLAYBOOK_READ, Action.PLAYBOOK_RUN}),
    Role.LIAISON: frozenset({Action.PLAYBOOK_READ}),
}
PERMISSIONS.update(  # playbooks (issue 11)
    {role: PERMISSIONS[role] | more for role, more in _PLAYBOOK_GRANTS.items()}
)

_CASE_WORK = frozenset({Action.CASE_READ, Action.CASE_WORK, Action.HANDOVER_TAKE})
PERMISSIONS[Role.LEAD] |= _CASE_WORK | {Action.CASE_SHARE}
PERMISSIONS[Role.ANALYST] |= _CASE_WORK
PERMISSIONS[Role.LIAISON] |= {Action.CASE_READ}
"""Cases (``respond/cases``): liaisons read, analysts work on them, leads also share them."""
PERMISSIONS.update(
    {
        Role.LEAD: PERMISSIONS[Role.LEAD] | {Action.RULE_READ, Action.RULE_MANAGE},
        Role.ANALYST: PERMISSIONS[Role.ANALYST] | {Action.RULE_READ, Action.RULE_MANAGE},
        Role.LIAISON: PERMISSIONS[Role.LIAISON] | {Action.RULE_READ},
    }
)
"""Detection rules (managed rule sets): people read them, analysts and leads change them;
a sensor never sees one (they run at the centre, not on the sensor)."""

SELF_SERVICE = frozenset({Action.TOKEN_READ, Action.TOKEN_CREATE, Action.TOKEN_REVOKE})
"""Actions anyone but a sensor may take on their own tokens."""


def may(role: Role, action: Action) -> bool:
    """Whether the table lets ``role`` take ``action`` at all (organisation aside)."""
    return action in PERMISSIONS[role]


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
    if not may(principal.role, action):
        raise PermissionDeniedError(f"the {principal.role} role may not {action}")


def assignable_roles(principal: Principal) -> frozenset[Role]:
    """Roles the principal may give to people it creates (no one escalates above itself)."""
    if principal.is_centre_admin:
        return frozenset(Role)
    if principal.role in (Role.ADMIN, Role.LEAD):
        return frozenset({Role.LEAD, Role.ANALYST, Role.LIAISON, Role.SENSOR})
    return frozenset()

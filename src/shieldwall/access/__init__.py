"""Identity and access: organisations, people, tokens, logins, communities, the audit log.

Every front end asks this package who a caller is (:func:`authenticate`, :func:`login`,
behind a throttle of failed logins) and goes through it to administer members: it checks
each administrative action with :mod:`shieldwall.policy.roles` and writes it to the audit
log in the same transaction, so the front ends hold no rule of their own.
"""

from shieldwall.access.accounts import (
    OPERATOR,
    add_organisation,
    add_person,
    create_token,
    get_organisation,
    get_person,
    list_organisations,
    list_people,
    list_tokens,
    revoke_token,
    set_org_status,
)
from shieldwall.access.audit import export_head as export_audit_head
from shieldwall.access.audit import read_entries as read_audit_entries
from shieldwall.access.audit import verify as verify_audit_log
from shieldwall.access.auth import authenticate
from shieldwall.access.communities import (
    CommunityView,
    add_community,
    get_community,
    list_communities,
    update_community,
)
from shieldwall.access.permissions import permits
from shieldwall.access.sectors import set_sectors
from shieldwall.access.throttle import LoginThrottle, ThrottlePolicy, throttled_login

__all__ = [
    "OPERATOR",
    "CommunityView",
    "LoginThrottle",
    "ThrottlePolicy",
    "add_community",
    "add_organisation",
    "add_person",
    "authenticate",
    "create_token",
    "export_audit_head",
    "get_community",
    "get_organisation",
    "get_person",
    "list_communities",
    "list_organisations",
    "list_people",
    "list_tokens",
    "permits",
    "read_audit_entries",
    "revoke_token",
    "set_org_status",
    "set_sectors",
    "throttled_login",
    "update_community",
    "verify_audit_log",
]

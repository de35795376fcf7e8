"""The identity and access front door: front ends use exactly these names (issue 8)."""

from __future__ import annotations

import shieldwall.access

EXPECTED = {
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
    "read_audit_entries",
    "revoke_token",
    "set_org_status",
    "set_sectors",
    "throttled_login",
    "update_community",
    "verify_audit_log",
    "permits",  # issue 12: the console shows a form only to those who may submit it
}


def test_the_front_door_exports_exactly_the_public_names() -> None:
    """A change to what front ends may use is a deliberate edit of this list."""
    assert set(shieldwall.access.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [name for name in shieldwall.access.__all__ if not hasattr(shieldwall.access, name)]
    assert missing == []

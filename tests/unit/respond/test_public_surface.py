"""The respond front door: front ends use exactly these names (issue 11)."""

from __future__ import annotations

import shieldwall.respond

CASES = {
    "DEFAULT_SLA_MINUTES",
    "OBSERVABLE_TYPES",
    "CaseDesk",
    "CaseView",
    "Escalation",
    "EvidenceLimits",
    "HandoverDesk",
    "HandoverItem",
    "HandoverReport",
    "HandoverSource",
    "ItemDesk",
    "SlaPolicy",
    "case_json",
    "handover_json",
    "item_json",
    "tlp_label",
    "tlp_level",
    "view_json",
}


def test_the_front_door_exports_the_cases_names() -> None:
    """A change to what front ends may use of cases is a deliberate edit of this list."""
    assert set(shieldwall.respond.__all__) >= CASES


def test_every_exported_name_exists() -> None:
    names = shieldwall.respond.__all__
    assert [name for name in names if not hasattr(shieldwall.respond, name)] == []

"""The respond front door: front ends use exactly these names (issue 11, playbooks)."""

from __future__ import annotations

import shieldwall.respond

PLAYBOOKS = {
    "SHIELDWALL_ACTIONS",
    "ActionFailedError",
    "Actions",
    "DryRun",
    "Endpoint",
    "HttpRequest",
    "Playbook",
    "PlaybookDesk",
    "PlaybookLimits",
    "PlaybookRefusedError",
    "Problem",
    "RunView",
    "Runner",
    "approval_json",
    "entry_json",
    "export_playbook",
    "load_playbook",
    "playbook_json",
    "problem_json",
    "problems_of",
    "run_json",
}


def test_the_front_door_exports_the_playbook_names() -> None:
    assert set(shieldwall.respond.__all__) >= PLAYBOOKS
    assert all(hasattr(shieldwall.respond, name) for name in shieldwall.respond.__all__)

"""Respond together: cases, playbooks, protective measures, notifications, requests for help.

The application that turns the live pipeline's incidents into collective action. Like the
other applications it reaches the database only through the store's protocols, and every
item it reads, writes, issues or sends passes the sharing gate (:mod:`shieldwall.policy`).
Front ends import only the names this module exports.
"""

from __future__ import annotations

from shieldwall.respond.playbooks import (
    SHIELDWALL_ACTIONS,
    ActionFailedError,
    Actions,
    DryRun,
    Endpoint,
    HttpRequest,
    Playbook,
    PlaybookDesk,
    PlaybookLimits,
    PlaybookRefusedError,
    Problem,
    Runner,
    RunView,
    approval_json,
    entry_json,
    export_playbook,
    load_playbook,
    playbook_json,
    problem_json,
    problems_of,
    run_json,
)

__all__: list[str] = []
__all__ += [  # playbooks (issue 11)
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
]

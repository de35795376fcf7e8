"""Respond together: cases, playbooks, protective measures, notifications, requests for help.

The application that turns the live pipeline's incidents into collective action. Like the
other applications it reaches the database only through the store's protocols, and every
item it reads, writes, issues or sends passes the sharing gate (:mod:`shieldwall.policy`).
Front ends import only the names this module exports.
"""

from __future__ import annotations

__all__: list[str] = []

from shieldwall.respond.cases import (  # cases (issue 11)
    DEFAULT_SLA_MINUTES,
    OBSERVABLE_TYPES,
    CaseDesk,
    CaseView,
    Escalation,
    EvidenceLimits,
    HandoverDesk,
    HandoverItem,
    HandoverReport,
    HandoverSource,
    ItemDesk,
    SlaPolicy,
    case_json,
    handover_json,
    item_json,
    tlp_label,
    tlp_level,
    view_json,
)

__all__ += [
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
]

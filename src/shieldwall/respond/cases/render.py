"""Cases, items, timelines and handover reports as the API and the CLI show them.

Kept apart from the desks (computation first, rendering after, as volatility3 does), so
the JSON documented in docs/cases.md is written in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shieldwall.model.case import Case, CaseItem, CaseShare, ItemKind, TimelineEntry
from shieldwall.model.incident import Incident
from shieldwall.respond.cases.handover import HandoverItem, HandoverReport
from shieldwall.respond.cases.sight import CaseView
from shieldwall.respond.cases.sla import case_overdue, task_overdue
from shieldwall.respond.cases.values import tlp_label


def _when(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def case_json(case: Case, now: datetime) -> dict[str, Any]:
    """A case as listed."""
    return {
        "id": case.id,
        "incident_id": case.incident_id,
        "org_id": case.org_id,
        "opened_org": case.opened_org,
        "opened_by": case.opened_by,
        "title": case.title,
        "severity": case.severity,
        "status": case.status.value,
        "close_reason": case.close_reason,
        "assignee": case.assignee,
        "shift": case.shift,
        "due_at": case.due_at.isoformat(),
        "overdue": case_overdue(case, now),
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


def item_json(item: CaseItem, now: datetime) -> dict[str, Any]:
    """One item, with the fields of its kind."""
    body: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind.value,
        "tlp": tlp_label(item.tlp),
        "org_id": item.org_id,
        "author": item.author,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }
    if item.kind is ItemKind.TASK:
        body |= {
            "title": item.body,
            "owner": item.owner,
            "due_at": _when(item.due_at),
            "status": item.status.value if item.status else None,
            "overdue": task_overdue(item, now),
        }
    elif item.kind is ItemKind.OBSERVABLE:
        body |= {"type": item.observable_type, "value": item.body}
    elif item.kind is ItemKind.EVIDENCE:
        body |= {
            "name": item.body,
            "sha256": item.sha256,
            "size": item.size,
            "media_type": item.media_type,
        }
    else:
        body["text"] = item.body
    return body


def entry_json(entry: TimelineEntry) -> dict[str, Any]:
    """One timeline entry."""
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "org_id": entry.org_id,
        "action": entry.action,
        "item_id": entry.item_id,
        "detail": entry.detail,
    }


def share_json(share: CaseShare) -> dict[str, Any]:
    """One member the case is shared with."""
    return {
        "org_id": share.org_id,
        "max_tlp": tlp_label(share.max_tlp),
        "shared_by": share.shared_by,
        "at": share.at.isoformat(),
    }


def view_json(view: CaseView, now: datetime) -> dict[str, Any]:
    """A case with its items by kind, its timeline and (for its managers) its shares."""
    body = case_json(view.case, now)
    for kind in ItemKind:
        body[f"{kind.value}s" if kind is not ItemKind.EVIDENCE else "evidence"] = [
            item_json(item, now) for item in view.items if item.kind is kind
        ]
    body["timeline"] = [entry_json(entry) for entry in view.timeline]
    body["shares"] = [share_json(share) for share in view.shares]
    body["manager"] = view.manager
    return body


def _incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "org_id": incident.org_id,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status.value,
        "created_at": incident.created_at.isoformat(),
    }


def _waiting(items: list[HandoverItem] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    return [
        {
            "kind": i.kind,
            "ref": i.ref,
            "title": i.title,
            "at": _when(i.at),
            "detail": dict(i.detail),
        }
        for i in items
    ]


def handover_json(report: HandoverReport) -> dict[str, Any]:
    """A handover report; a part not wired in this process is null, not an empty list."""
    now = report.until
    return {
        "org_id": report.org_id,
        "since": _when(report.since),
        "until": report.until.isoformat(),
        "taken": report.taken,
        "new_incidents": [_incident(i) for i in report.new_incidents],
        "escalated_incidents": [
            {**_incident(e.incident), "severity_was": e.was} for e in report.escalated
        ],
        "overdue_tasks": [
            {**item_json(item, now), "case_id": item.case_id} for item in report.overdue_tasks
        ],
        "overdue_cases": [case_json(case, now) for case in report.overdue_cases],
        "pending_approvals": _waiting(_list(report.pending_approvals)),
        "open_requests": _waiting(_list(report.open_requests)),
    }


def _list(items: Any) -> list[HandoverItem] | None:
    return None if items is None else list(items)

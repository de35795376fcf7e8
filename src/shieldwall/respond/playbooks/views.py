"""Playbooks, runs, journal entries and approvals as the API and the CLI show them."""

from __future__ import annotations

from typing import Any

from shieldwall.model.playbook import ApprovalRecord, JournalEntry, PlaybookRecord, RunRecord
from shieldwall.respond.playbooks.problems import Problem


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def playbook_json(record: PlaybookRecord) -> dict[str, Any]:
    """A playbook in a list: what it is, whose, what starts it."""
    return {
        "id": record.id,
        "name": record.name,
        "org_id": record.org_id,
        "triggers": record.triggers,
        "created_at": _time(record.created_at),
        "updated_at": _time(record.updated_at),
    }


def run_json(run: RunRecord) -> dict[str, Any]:
    """A run: where it stands and why (the principal it acts for shown by id only)."""
    return {
        "id": run.id,
        "playbook_id": run.playbook_id,
        "playbook_owner": run.playbook_org,
        "org_id": run.org_id,
        "concerns": list(run.concerns),
        "started_by": run.principal.get("person_id"),
        "trigger": run.trigger,
        "status": run.status.value,
        "outcome": run.outcome,
        "created_at": _time(run.created_at),
        "updated_at": _time(run.updated_at),
    }


def entry_json(entry: JournalEntry) -> dict[str, Any]:
    """One journal entry: step, inputs, outputs, who (or who approved), when."""
    return {
        "seq": entry.seq,
        "key": entry.key,
        "step_id": entry.step_id,
        "kind": entry.kind,
        "status": entry.status,
        "inputs": entry.inputs,
        "outputs": entry.outputs,
        "actor": entry.actor,
        "at": _time(entry.at),
    }


def approval_json(approval: ApprovalRecord) -> dict[str, Any]:
    """An approval with its votes."""
    return {
        "id": approval.id,
        "run_id": approval.run_id,
        "step_id": approval.step_id,
        "approvers": list(approval.members) or "centre-lead",
        "required": approval.required,
        "expires_at": _time(approval.expires_at),
        "status": approval.status.value,
        "decided_at": _time(approval.decided_at),
        "context": dict(approval.context),
        "votes": [
            {"org_id": v.org_id, "person_id": v.person_id, "approve": v.approve, "at": _time(v.at)}
            for v in approval.votes
        ],
    }


def problem_json(problem: Problem) -> dict[str, str]:
    """One problem of a refused playbook."""
    return {"place": problem.place, "message": problem.message}

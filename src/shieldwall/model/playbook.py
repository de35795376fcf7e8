"""Stored playbooks, their runs, each run's journal and its approvals (issue 11).

These are the rows the store keeps for :mod:`shieldwall.respond.playbooks`; the CACAO
document itself is kept as the JSON it was imported from (after validation), so what is
exported is what was checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    """Where a run stands: ``waiting`` holds across restarts until a decision or expiry."""

    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ApprovalStatus(StrEnum):
    """An approval is pending until enough yes, one no, or its expiry."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class PlaybookRecord:
    """One imported playbook: its CACAO document, who owns it, and its triggers.

    The same CACAO playbook (one ``id``) may be imported by several organisations, each
    owning its own copy: the store keys playbooks by owner and id."""

    id: str
    name: str
    org_id: str
    document: dict[str, Any]
    triggers: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewRun:
    """A run about to start; ``start_key`` makes one trigger start it once."""

    playbook_org: str
    playbook_id: str
    start_key: str
    org_id: str
    concerns: tuple[str, ...]
    principal: dict[str, Any]
    trigger: dict[str, Any]
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A durable run of a playbook; ``concerns`` names the organisations that see it."""

    id: int
    playbook_org: str
    playbook_id: str
    start_key: str
    org_id: str
    concerns: tuple[str, ...]
    principal: dict[str, Any]
    trigger: dict[str, Any]
    variables: dict[str, Any]
    status: RunStatus
    outcome: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One step done: ``key`` (run, step, occurrence) is unique, so nothing is done twice."""

    run_id: int
    key: str
    step_id: str
    kind: str
    status: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    actor: str = ""
    at: datetime | None = None
    seq: int = 0


@dataclass(frozen=True, slots=True)
class Vote:
    """One organisation's decision on an approval, given by one of its leads."""

    org_id: str
    person_id: str
    approve: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """A waiting step: one centre lead, or ``required`` of the named ``members``."""

    id: int
    run_id: int
    key: str
    step_id: str
    members: tuple[str, ...]
    required: int
    expires_at: datetime
    status: ApprovalStatus
    votes: tuple[Vote, ...] = ()
    decided_at: datetime | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    """What the approvers need to decide, copied when the approval was asked (the playbook
    may be another organisation's, which they cannot read): see ``approval_context``."""

    @property
    def centre_lead(self) -> bool:
        """True when one lead of the centre decides (no members named)."""
        return not self.members

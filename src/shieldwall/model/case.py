"""Cases: an incident opened for handling, with tasks, observables, evidence and comments.

A case belongs to the member whose incident it handles (``org_id``); the organisation
that opened it (the member, or the centre) is a party too, and the case may be shared
with more members. Every item (task, observable, evidence file, comment) carries its own
TLP level and its author's organisation, so each party sees the items the sharing gate
lets it see — and works on the case in its own view. Every change is kept in the case's
timeline, with who made it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shieldwall.model.sharing import TlpLevel


class CaseStatus(StrEnum):
    """Where a case stands: new → triaged → in progress → contained → closed."""

    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    CONTAINED = "contained"
    CLOSED = "closed"


class ItemKind(StrEnum):
    """The kinds of things a case holds, each with its own TLP."""

    TASK = "task"
    OBSERVABLE = "observable"
    EVIDENCE = "evidence"
    COMMENT = "comment"


class TaskStatus(StrEnum):
    """Where a task stands; only an open task can be overdue."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """A stored case."""

    id: int
    incident_id: int
    org_id: str
    """The member whose incident this is."""
    opened_org: str
    """The organisation that opened it (the member itself, or the centre)."""
    opened_by: str
    title: str
    severity: str
    status: CaseStatus
    close_reason: str | None
    assignee: str | None
    """A person's id, or None."""
    shift: str | None
    """A shift's name (``night``, ``day-2``), or None."""
    due_at: datetime
    """When the case should be contained by, from its severity's SLA."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseShare:
    """A member the case is shared with, and the highest TLP of items it may receive."""

    case_id: int
    org_id: str
    max_tlp: TlpLevel
    shared_by: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseItem:
    """A task, an observable, an evidence file or a comment, with its own TLP.

    ``body`` is the task's title, the comment's text, the evidence file's name, or the
    observable's value; the other fields are used by the kinds that need them.
    """

    id: str
    case_id: int
    kind: ItemKind
    org_id: str
    """The author's organisation: the item's producer for the sharing gate."""
    author: str
    tlp: TlpLevel
    body: str
    created_at: datetime
    updated_at: datetime
    owner: str | None = None
    due_at: datetime | None = None
    status: TaskStatus | None = None
    observable_type: str | None = None
    sha256: str | None = None
    size: int | None = None
    media_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """One change of a case: who did what, when, and about which item (if any).

    An entry about an item is seen by whoever sees the item; an entry about the case
    (status, assignment) by every party; ``owners_only`` entries (shares) only by the
    case's member and its opener.
    """

    id: int
    case_id: int
    at: datetime
    actor: str
    org_id: str
    action: str
    item_id: str | None
    owners_only: bool
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoverMark:
    """A shift handover an organisation took: when, by whom, and the severities it saw."""

    id: int
    org_id: str
    taken_by: str
    at: datetime
    last_incident_id: int
    """The newest incident id in scope then: newer ones are new to the next shift."""
    severities: dict[str, str]
    """Severity of each open incident in scope at that time, by incident id."""

"""Incidents: alerts of one member grouped into one thing to handle, with its history.

An incident belongs to the member whose alerts it groups (``org_id``). People move it
through its status flow (``new`` → ``triaged`` → ``in_progress`` → ``contained`` →
``closed``, with a reason), assign it and comment on it; every change is kept, with who
made it and when. An incident absorbed into another when a later alert linked both is
closed with ``merged_into`` naming the one that absorbed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class IncidentStatus(StrEnum):
    """Where an incident stands."""

    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    CONTAINED = "contained"
    CLOSED = "closed"


SEVERITIES = ("informational", "low", "medium", "high", "critical")
"""Incident severities, lowest first: the Sigma levels of the alerts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """A stored incident."""

    id: int
    org_id: str
    title: str
    severity: str
    status: IncidentStatus
    assignee: str | None
    close_reason: str | None
    merged_into: int | None
    alert_count: int
    """How many alert hits it groups (a duplicate counted on an alert counts here too)."""
    first_seen: datetime | None
    last_seen: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentChange:
    """One entry of an incident's history: who did what, and when."""

    id: int
    incident_id: int
    at: datetime
    actor: str
    """A person's id, or ``fuse`` for the worker that grouped alerts."""
    action: str
    """``opened``, ``alert``, ``merged``, ``absorbed``, ``status``, ``assign``, ``comment``."""
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentQuery:
    """Which incidents a page holds: the caller's scope, filters, and where it starts."""

    org_ids: frozenset[str] | None
    """The organisations the caller may see; None for every one (the centre)."""
    status: IncidentStatus | None = None
    severity: str | None = None
    member: str | None = None
    after: int = 0
    limit: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignMember:
    """One member's part in a campaign: its incidents holding the observable."""

    org_id: str
    incident_ids: tuple[int, ...]
    first_seen: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    """The same observable (IP, hash, domain) in incidents of two or more members."""

    id: int
    link: str
    """The observable, as a link: ``ip:203.0.113.9``, ``hash:…``, ``domain:…``."""
    created_at: datetime
    members: tuple[CampaignMember, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignSight:
    """A campaign as one viewer may see it: the members shown, and how many others."""

    id: int
    link: str
    created_at: datetime
    members: tuple[CampaignMember, ...]
    """Every member for the centre; a member sees only its own part."""
    other_members: int
    """Members involved but not shown (0 for the centre): "seen at N other members"."""
    released: tuple[ReleasedPart, ...] = ()
    """What those other members released to this viewer, through the gate."""


RELEASABLE_FIELDS = (
    "title",
    "severity",
    "status",
    "alert_count",
    "first_seen",
    "last_seen",
    "techniques",
)
"""What a member may release of its incident to the other members of a campaign."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentRelease:
    """What a member released of one of its incidents to the other members of its
    campaigns, under a TLP marking the sharing gate reads (``marking_ref``)."""

    incident_id: int
    org_id: str
    marking_ref: str
    name_member: bool
    """Whether the others learn which member it is (otherwise: "another member")."""
    fields: tuple[str, ...]
    """Which of :data:`RELEASABLE_FIELDS` they see."""
    note: str
    released_by: str
    released_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleasedPart:
    """Another member's incident in a campaign, as far as its release and the gate allow."""

    org_id: str | None
    """The member, when it chose to be named; None: "another member"."""
    incident: dict[str, Any]
    """The released fields' values."""
    note: str
    released_at: datetime

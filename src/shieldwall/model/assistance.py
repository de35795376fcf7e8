"""Requests for assistance: a member asks for help, others offer, the requester accepts.

Plain values; who may see a request (the sharing gate over its TLP and audience) and who
may act on it is decided in :mod:`shieldwall.respond.assist`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shieldwall.model.sharing import Addressees, TlpLevel


class Need(StrEnum):
    """What a member may ask for."""

    FORENSICS = "forensics"
    MALWARE_ANALYSIS = "malware-analysis"
    MITIGATION = "mitigation"
    CAPACITY = "capacity"


class Urgency(StrEnum):
    """How soon help is needed."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class RequestStatus(StrEnum):
    """open (offers welcome) → accepted (help under way) → closed (with a reason)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class OfferStatus(StrEnum):
    """An offer's life: offered, then accepted (a task: in progress, done) or declined."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewRequest(Addressees):
    """What a member asks for; the audience fields say who may see it beyond the TLP."""

    org_id: str
    requester: str
    title: str
    description: str
    needs: tuple[Need, ...]
    urgency: Urgency
    tlp: TlpLevel


@dataclass(frozen=True, slots=True, kw_only=True)
class AssistRequest(NewRequest):
    """A stored request, with the times that measure how fast help came."""

    id: int
    status: RequestStatus
    created_at: datetime
    first_offer_at: datetime | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str = ""

    @property
    def seconds_to_first_offer(self) -> float | None:
        """Time from the request to its first offer, or None while there is none."""
        return _seconds(self.created_at, self.first_offer_at)

    @property
    def seconds_to_acceptance(self) -> float | None:
        """Time from the request to the first accepted offer, or None."""
        return _seconds(self.created_at, self.accepted_at)


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds()


@dataclass(frozen=True, slots=True)
class Offer:
    """What a member offers towards a request."""

    id: int
    request_id: int
    org_id: str
    person_id: str
    need: Need
    text: str
    status: OfferStatus
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One line of a request's timeline: who did what, when."""

    id: int
    request_id: int
    at: datetime
    actor: str
    org_id: str
    action: str
    detail: dict[str, Any]

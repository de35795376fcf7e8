"""Where a SITREP's numbers come from: one small protocol per source, wired by the runtime.

Each source answers *for the recipient organisation*: it returns only what that
organisation may see, through the sharing gate. The live pipeline's desks (alerts,
incidents, campaigns) already have this shape and are passed in as they are; the intel
store is adapted by the runtime (``runtime/reports.py``) from share's front door.

Threat levels (posture), protective measures and requests for assistance are built
elsewhere; their sources are optional, and a SITREP without one says "not available" for
that section rather than inventing a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shieldwall.model.alert import Alert
from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Organisation, Principal
from shieldwall.model.incident import CampaignSight, Incident
from shieldwall.model.sharing import TlpLevel


class IncidentSource(Protocol):
    """Incidents the principal may see, in id order (``IncidentDesk``)."""

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[Incident]: ...


class AlertSource(Protocol):
    """Alerts the principal may see, in sequence order (``AlertDesk``)."""

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[Alert]: ...


class CampaignSource(Protocol):
    """Campaigns as the principal may see them, in id order (``CampaignDesk``)."""

    def page(
        self, who: Principal, *, after: int = 0, limit: int = 100
    ) -> Sequence[CampaignSight]: ...


class AuditLog(Protocol):
    """Where a delivered report is recorded (the store's audit chain, in the runtime)."""

    def record(self, entry: AuditRecord) -> None: ...


class OrganisationSource(Protocol):
    """The organisation a report is made for; None when it is unknown."""

    def organisation(self, org_id: str) -> Organisation | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class IntelItem:
    """One intelligence object the recipient may receive, reduced to what a report shows."""

    stix_id: str
    type: str
    name: str
    pattern: str
    added: datetime
    tlp: TlpLevel
    sighting_of: str = ""
    count: int = 1


class IntelSource(Protocol):
    """Indicators and sightings the organisation may receive now (through share's gate)."""

    def items(self, org_id: str, types: tuple[str, ...]) -> Sequence[IntelItem]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreatLevel:
    """A threat level on the posture scale (1 lowest .. 5 highest) with its name."""

    value: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PostureReading:
    """The recipient's threat level at the end of the period and at its start."""

    now: ThreatLevel
    before: ThreatLevel | None
    tlp: TlpLevel
    reason: str = ""


class PostureSource(Protocol):
    """The threat level of the organisation over a period, as it may see it."""

    def reading(self, org_id: str, start: datetime, end: datetime) -> PostureReading | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    """A protective measure (blocklist entry, rule) issued to the organisation."""

    title: str
    kind: str
    issued_at: datetime
    tlp: TlpLevel


class MeasuresSource(Protocol):
    """Protective measures issued to the organisation in the period that it may see."""

    def issued(self, org_id: str, start: datetime, end: datetime) -> Sequence[Measure]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AssistanceRequest:
    """A request for assistance the organisation made, received or may see."""

    title: str
    status: str
    requester: str
    opened_at: datetime
    tlp: TlpLevel


class AssistanceSource(Protocol):
    """Requests for assistance of the period that the organisation may see."""

    def requests(
        self, org_id: str, start: datetime, end: datetime
    ) -> Sequence[AssistanceRequest]: ...

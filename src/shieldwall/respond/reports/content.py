"""What a SITREP holds: computed once, rendered by HTML and PDF alike (kept apart, as
volatility3 keeps ``run()`` apart from its renderers).

Every line carries the TLP of what it came from, and the report's marking is the highest
of them (:func:`highest_marking`): a report holding one TLP:AMBER+STRICT line is
TLP:AMBER+STRICT as a whole, and a report holding nothing but counts of nothing is
TLP:CLEAR. A section whose source is not wired is ``None`` and is shown as "not
available", never as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.model.sharing import TlpLevel
from shieldwall.respond.reports.sources import AssistanceRequest, Measure, PostureReading

LIVE_TLP = TlpLevel.AMBER_STRICT
"""Alerts, incidents and campaigns belong to the member they were raised at; the gate shows
them to that member and the centre only (``policy/incidents.py``), which is what
TLP:AMBER+STRICT means, so every line drawn from them is marked so."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """The 24 hours a SITREP covers: ``start`` included, ``end`` excluded (UTC)."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime | None) -> bool:
        """Whether the moment falls in the period."""
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentLine:
    """One incident as the report lists it."""

    id: int
    org_id: str
    title: str
    severity: str
    status: str
    tlp: TlpLevel = LIVE_TLP


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentSection:
    """New and closed incidents of the period, still open at its end, new per hour."""

    new: tuple[IncidentLine, ...]
    closed: tuple[IncidentLine, ...]
    open_at_end: int
    new_per_hour: tuple[int, ...]
    alerts_per_hour: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignLine:
    """A campaign the recipient is part of (or every campaign, for the centre)."""

    id: int
    link: str
    members: tuple[str, ...]
    other_members: int
    new: bool
    tlp: TlpLevel = LIVE_TLP


@dataclass(frozen=True, slots=True, kw_only=True)
class TechniqueLine:
    """An ATT&CK technique and how many of the period's alerts carried it."""

    technique: str
    alerts: int
    tlp: TlpLevel = LIVE_TLP


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorLine:
    """An indicator shared in the period, or sighted in it (``sightings`` > 0)."""

    stix_id: str
    name: str
    pattern: str
    tlp: TlpLevel
    sightings: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorSection:
    """Indicators shared in the period and indicators sighted in it."""

    shared: tuple[IndicatorLine, ...]
    sighted: tuple[IndicatorLine, ...]
    sightings: int
    """Every sighting of the period the recipient may receive, named indicator or not."""
    sightings_tlp: tuple[TlpLevel, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Sitrep:
    """The daily situation report for one organisation."""

    org_id: str
    org_name: str
    period: Period
    generated_at: datetime
    incidents: IncidentSection
    campaigns: tuple[CampaignLine, ...]
    techniques: tuple[TechniqueLine, ...]
    indicators: IndicatorSection
    posture: PostureReading | None = None
    measures: tuple[Measure, ...] | None = None
    assistance: tuple[AssistanceRequest, ...] | None = None
    marking: TlpLevel = field(default=TlpLevel.CLEAR)


def highest_marking(levels: Iterable[TlpLevel]) -> TlpLevel:
    """The most restrictive of the levels; TLP:CLEAR when there are none."""
    return max(levels, default=TlpLevel.CLEAR)


def contained_levels(report: Sitrep) -> list[TlpLevel]:
    """The TLP of every line the report shows."""
    levels = [line.tlp for line in (*report.incidents.new, *report.incidents.closed)]
    levels += [line.tlp for line in report.campaigns]
    levels += [line.tlp for line in report.techniques]
    levels += [line.tlp for line in (*report.indicators.shared, *report.indicators.sighted)]
    levels += list(report.indicators.sightings_tlp)
    if report.incidents.open_at_end or any(report.incidents.alerts_per_hour):
        levels.append(LIVE_TLP)  # counts of a member's own incidents and alerts
    if report.posture is not None:
        levels.append(report.posture.tlp)
    levels += [measure.tlp for measure in report.measures or ()]
    levels += [request.tlp for request in report.assistance or ()]
    return levels

"""Build a SITREP for one organisation from what that organisation may see, and only that.

The requester must be allowed to know the organisation (its own, or any for the centre's
administrators) and to read reports; an organisation hidden from them is "not found",
exactly like an absent one. The report is then read *as the recipient*: an analyst of the
organisation for the live pipeline's desks, the organisation itself for the intel store,
so a report made by the centre for a member holds what that member would see, never what
the centre sees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeVar

from shieldwall.model.alert import Alert
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Organisation, Principal, Role
from shieldwall.model.incident import CampaignSight, Incident, IncidentStatus
from shieldwall.policy.roles import Action, authorise, can_see_org
from shieldwall.respond.reports.content import (
    CampaignLine,
    IncidentLine,
    IncidentSection,
    Period,
    Sitrep,
    TechniqueLine,
    contained_levels,
    highest_marking,
)
from shieldwall.respond.reports.intel import indicator_section
from shieldwall.respond.reports.sources import (
    AlertSource,
    AssistanceSource,
    AuditLog,
    CampaignSource,
    IncidentSource,
    IntelSource,
    MeasuresSource,
    OrganisationSource,
    PostureSource,
)

PAGE = 1000
TOP_TECHNIQUES = 10
HOURS = 24
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class SitrepSources:
    """Everything a SITREP reads; posture, measures and assistance are optional."""

    organisations: OrganisationSource
    incidents: IncidentSource
    alerts: AlertSource
    campaigns: CampaignSource
    intel: IntelSource
    posture: PostureSource | None = None
    measures: MeasuresSource | None = None
    assistance: AssistanceSource | None = None
    audit: AuditLog | None = None
    """Records each report delivered: who, for whom, which period, format and marking."""


def recipient(org: Organisation) -> Principal:
    """The organisation as one of its analysts sees the live pipeline (no person's own data)."""
    return Principal("report:sitrep", org.id, Role.ANALYST, org.kind, org.country, org.sectors)


def build_sitrep(
    sources: SitrepSources, requester: Principal, org_id: str, period: Period, now: datetime
) -> Sitrep:
    """The SITREP of ``period`` for ``org_id``; NotFoundError when hidden or absent."""
    org = sources.organisations.organisation(org_id)
    if org is None or not can_see_org(requester, org_id):
        raise NotFoundError(f"organisation {org_id} not found")
    authorise(requester, Action.REPORT_READ, org_id)
    if not org.active:  # the gate shows a suspended organisation nothing: no report to make
        raise InputError(f"organisation {org_id} is suspended and receives nothing", place="for")
    who = recipient(org)
    alerts = _alerts_in(sources.alerts, who, period)
    report = Sitrep(
        org_id=org.id,
        org_name=org.name,
        period=period,
        generated_at=now,
        incidents=_incidents(sources.incidents, who, period, alerts),
        campaigns=_campaigns(sources.campaigns, who, period),
        techniques=_techniques(alerts),
        indicators=indicator_section(
            sources.intel.items(org.id, ("indicator", "sighting")), period
        ),
        posture=sources.posture.reading(org.id, period.start, period.end)
        if sources.posture
        else None,
        measures=tuple(sources.measures.issued(org.id, period.start, period.end))
        if sources.measures
        else None,
        assistance=tuple(sources.assistance.requests(org.id, period.start, period.end))
        if sources.assistance
        else None,
    )
    return replace(report, marking=highest_marking(contained_levels(report)))


def _every(page: Callable[[int], Sequence[T]], key: Callable[[T], int]) -> Iterator[T]:
    """Every item of a keyset-paged source, page by page."""
    after = 0
    while items := page(after):
        yield from items
        after = key(items[-1])


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _incidents(
    source: IncidentSource, who: Principal, period: Period, alerts: Sequence[Alert]
) -> IncidentSection:
    every = list(_every(lambda after: source.page(who, after=after, limit=PAGE), _incident_id))
    new = [i for i in every if period.holds(_utc(i.created_at))]
    closed = [
        i for i in every if i.status is IncidentStatus.CLOSED and period.holds(_utc(i.updated_at))
    ]
    open_at_end = sum(1 for i in every if _open_at(i, period.end))
    return IncidentSection(
        new=tuple(_line(i) for i in new),
        closed=tuple(_line(i) for i in closed),
        open_at_end=open_at_end,
        new_per_hour=_per_hour([_utc(i.created_at) for i in new], period),
        alerts_per_hour=_per_hour([_utc(a.created_at) for a in alerts], period),
    )


def _incident_id(incident: Incident) -> int:
    return incident.id


def _open_at(incident: Incident, end: datetime) -> bool:
    created, updated = _utc(incident.created_at), _utc(incident.updated_at)
    if created is None or created >= end:
        return False
    return incident.status is not IncidentStatus.CLOSED or (updated is not None and updated >= end)


def _line(incident: Incident) -> IncidentLine:
    return IncidentLine(
        id=incident.id,
        org_id=incident.org_id,
        title=incident.title,
        severity=incident.severity,
        status=incident.status.value,
    )


def _per_hour(moments: Sequence[datetime | None], period: Period) -> tuple[int, ...]:
    counts = [0] * HOURS
    for moment in moments:
        if period.holds(moment) and moment is not None:
            counts[min(HOURS - 1, int((moment - period.start).total_seconds() // 3600))] += 1
    return tuple(counts)


def _alerts_in(source: AlertSource, who: Principal, period: Period) -> list[Alert]:
    every = _every(lambda after: source.page(who, after=after, limit=PAGE), _alert_seq)
    return [alert for alert in every if period.holds(_utc(alert.created_at))]


def _alert_seq(alert: Alert) -> int:
    return alert.seq


def _techniques(alerts: Sequence[Alert]) -> tuple[TechniqueLine, ...]:
    counts = Counter(technique for alert in alerts for technique in set(alert.techniques))
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_TECHNIQUES]
    return tuple(TechniqueLine(technique=name, alerts=count) for name, count in ranked)


def _campaigns(source: CampaignSource, who: Principal, period: Period) -> tuple[CampaignLine, ...]:
    every = _every(lambda after: source.page(who, after=after, limit=PAGE), _campaign_id)
    return tuple(_campaign_line(c, period) for c in every if _active(c, period))


def _campaign_id(sight: CampaignSight) -> int:
    return sight.id


def _active(sight: CampaignSight, period: Period) -> bool:
    created = _utc(sight.created_at)
    if created is None or created >= period.end:
        return False
    return period.holds(created) or any(period.holds(_utc(m.first_seen)) for m in sight.members)


def _campaign_line(sight: CampaignSight, period: Period) -> CampaignLine:
    return CampaignLine(
        id=sight.id,
        link=sight.link,
        members=tuple(member.org_id for member in sight.members),
        other_members=sight.other_members,
        new=period.holds(_utc(sight.created_at)),
    )

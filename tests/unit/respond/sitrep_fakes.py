"""In-memory SITREP sources: what the desks, the intel store and the sections built in
parallel (posture, measures, assistance) would return, kept in lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shieldwall.model.alert import Alert
from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Principal, Role
from shieldwall.model.incident import CampaignSight, Incident, IncidentStatus
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import (
    AssistanceRequest,
    IntelItem,
    Measure,
    PostureReading,
    SitrepSources,
    ThreatLevel,
)

END = datetime(2026, 12, 7, tzinfo=UTC)
IN = END - timedelta(hours=3)
BEFORE = END - timedelta(days=3)
ORGS = {
    "centre": Organisation("centre", "Centre", OrgKind.CENTRE, "BE"),
    "alpha": Organisation("alpha", "Alpha CERT", OrgKind.NATION, "FR"),
    "bravo": Organisation("bravo", "Bravo CSIRT", OrgKind.MILITARY, "DE"),
    "delta": Organisation("delta", "Delta", OrgKind.CIVIL, "NL", status=OrgStatus.SUSPENDED),
}
ADMIN = Principal("admin", "centre", Role.ADMIN, OrgKind.CENTRE, "BE")


def person(org: str, role: Role = Role.ANALYST) -> Principal:
    return Principal(f"{org}-{role.value}", org, role, ORGS[org].kind, ORGS[org].country)


def incident(
    ident: int, org: str, title: str, *, at: datetime = IN, closed: bool = False
) -> Incident:
    status = IncidentStatus.CLOSED if closed else IncidentStatus.NEW
    return Incident(
        id=ident, org_id=org, title=title, severity="high", status=status, assignee=None,
        close_reason="done" if closed else None, merged_into=None, alert_count=1,
        first_seen=at, last_seen=at, created_at=at, updated_at=at,
    )  # fmt: skip


def alert(seq: int, org: str, techniques: tuple[str, ...], at: datetime = IN) -> Alert:
    return Alert(
        key=f"{org}:{seq}", org_id=org, rule_id="r", rule_title="Rule", level="high", tags=(),
        event_time=at, source="s", matched={}, event={}, techniques=techniques, seq=seq,
        created_at=at,
    )  # fmt: skip


def _scope(who: Principal) -> set[str] | None:
    return None if who.org_kind is OrgKind.CENTRE else {who.org_id}


@dataclass
class Live:
    """Incidents, alerts and campaigns, filtered by the reader's organisation like the gate."""

    incidents: list[Incident] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    campaigns: list[CampaignSight] = field(default_factory=list)
    readers: list[Principal] = field(default_factory=list)

    def _keep(self, who: Principal, org: str) -> bool:
        self.readers.append(who)
        scope = _scope(who)
        return scope is None or org in scope


@dataclass
class Incidents:
    live: Live

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[Incident]:
        found = [i for i in self.live.incidents if i.id > after and self.live._keep(who, i.org_id)]
        return found[:limit]


@dataclass
class Alerts:
    live: Live

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[Alert]:
        found = [a for a in self.live.alerts if a.seq > after and self.live._keep(who, a.org_id)]
        return found[:limit]


@dataclass
class Campaigns:
    live: Live

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[CampaignSight]:
        return [c for c in self.live.campaigns if c.id > after][:limit]


@dataclass
class Intel:
    by_org: dict[str, list[IntelItem]] = field(default_factory=dict)

    def items(self, org_id: str, types: tuple[str, ...]) -> Sequence[IntelItem]:
        return [item for item in self.by_org.get(org_id, []) if item.type in types]


class Orgs:
    def organisation(self, org_id: str) -> Organisation | None:
        return ORGS.get(org_id)


@dataclass
class Posture:
    reading_: PostureReading

    def reading(self, org_id: str, start: datetime, end: datetime) -> PostureReading | None:
        return self.reading_


@dataclass
class Measures:
    measures: list[Measure]

    def issued(self, org_id: str, start: datetime, end: datetime) -> Sequence[Measure]:
        return self.measures


@dataclass
class Assistance:
    asked: list[AssistanceRequest]

    def requests(self, org_id: str, start: datetime, end: datetime) -> Sequence[AssistanceRequest]:
        return self.asked


def indicator(ident: str, name: str, tlp: TlpLevel, at: datetime = IN) -> IntelItem:
    return IntelItem(
        stix_id=f"indicator--{ident}", type="indicator", name=name,
        pattern=f"[domain-name:value = '{name}.example']", added=at, tlp=tlp,
    )  # fmt: skip


def sighting(ident: str, of: str, tlp: TlpLevel, count: int = 1, at: datetime = IN) -> IntelItem:
    return IntelItem(
        stix_id=f"sighting--{ident}", type="sighting", name="", pattern="", added=at, tlp=tlp,
        sighting_of=f"indicator--{of}", count=count,
    )  # fmt: skip


def sources(live: Live, intel: Intel | None = None, *, wired: bool = False) -> SitrepSources:
    """The sources; ``wired`` adds posture, measures and assistance."""
    extra: dict[str, object] = {}
    if wired:
        level = ThreatLevel(value=4, name="HIGH")
        before = ThreatLevel(value=2, name="GUARDED")
        extra = {
            "posture": Posture(PostureReading(now=level, before=before, tlp=TlpLevel.GREEN)),
            "measures": Measures(
                [
                    Measure(
                        title="block 198.51.100.7", kind="blocklist", issued_at=IN, tlp=TlpLevel.RED
                    )
                ]
            ),
            "assistance": Assistance(
                [
                    AssistanceRequest(
                        title="forensics help",
                        status="open",
                        requester="alpha",
                        opened_at=IN,
                        tlp=TlpLevel.AMBER,
                    )
                ]
            ),
        }
    return SitrepSources(
        organisations=Orgs(),
        incidents=Incidents(live),
        alerts=Alerts(live),
        campaigns=Campaigns(live),
        intel=intel or Intel(),
        **extra,  # type: ignore[arg-type]
    )

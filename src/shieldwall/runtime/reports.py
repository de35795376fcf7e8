"""Wires the SITREP to its sources: the live desks as they are, the intel store via share.

The intel adapter asks share's front door for what the recipient organisation may
receive now (:func:`shieldwall.share.list_intel`: the gate, the organisation's viewer, the
export channel's limit, never TLP:RED) and reduces each object to what a report shows.
An object stored without a TLP marking takes the unlabelled default, TLP:AMBER+STRICT.
The threat level is read from the posture history (a member always sees its own level);
the measures are those the measures desk shows the organisation (its own and those it
receives through the gate); assistance is passed in when that application is wired
(``Services.sitrep``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from shieldwall.live import AlertDesk, CampaignDesk, IncidentDesk
from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Organisation
from shieldwall.model.posture import LEVELS, PostureEntry, ScopeKind
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import (
    AssistanceSource,
    IntelItem,
    Measure,
    MeasureDesk,
    MeasuresSource,
    PostureReading,
    PostureSource,
    SitrepDesk,
    SitrepSources,
    ThreatLevel,
)
from shieldwall.respond.reports.build import recipient
from shieldwall.share import Exported, list_intel
from shieldwall.store.protocols import Store

UNMARKED_TLP = TlpLevel.AMBER_STRICT


@dataclass(frozen=True, slots=True)
class StoreOrganisations:
    """Organisations by id, each look-up in its own read-only transaction."""

    store: Store

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation, or None when unknown."""
        with self.store.reading() as tx:
            return tx.organisations.get(org_id)


@dataclass(frozen=True, slots=True)
class SharedIntel:
    """The intel store as one organisation may receive it, through share's front door."""

    store: Store

    def items(self, org_id: str, types: tuple[str, ...]) -> Sequence[IntelItem]:
        """The newest version of each object of those types the organisation may receive."""
        return [intel_item(found) for found in list_intel(self.store, org_id, types)]


@dataclass(frozen=True, slots=True)
class PostureHistory:
    """An organisation's own threat level at the start and the end of a period.

    A member may always see its own level (:mod:`shieldwall.policy.posture`), so the report
    reads the member's scope only. The level is computed from incidents, which the report
    counts as TLP:AMBER+STRICT, so the section carries that marking too.
    """

    store: Store
    page: int = 1000

    def reading(self, org_id: str, start: datetime, end: datetime) -> PostureReading | None:
        """The level in force at ``end`` and at ``start``; None before any was computed."""
        changes = self._changes(org_id)
        now, before = _in_force(changes, end), _in_force(changes, start)
        if now is None:
            return None
        return PostureReading(
            now=_threat(now.level),
            before=None if before is None else _threat(before.level),
            tlp=TlpLevel.AMBER_STRICT,
        )

    def _changes(self, org_id: str) -> list[PostureEntry]:
        scope = {(ScopeKind.MEMBER, org_id)}
        found: list[PostureEntry] = []
        after = 0
        with self.store.reading() as tx:
            while True:
                batch = tx.posture.history(scope, after=after, limit=self.page)
                found.extend(batch)
                if len(batch) < self.page:
                    return found
                after = batch[-1].id


def _in_force(changes: Sequence[PostureEntry], moment: datetime) -> PostureEntry | None:
    """The last change made at or before ``moment``."""
    earlier = [change for change in changes if change.at <= moment]
    return max(earlier, key=lambda change: (change.at, change.id), default=None)


def _threat(level: int) -> ThreatLevel:
    return ThreatLevel(value=level, name=LEVELS[level - 1])


@dataclass(frozen=True, slots=True)
class IssuedMeasures:
    """Protective measures of the period the organisation issued or receives."""

    desk: MeasureDesk
    organisations: StoreOrganisations

    def issued(self, org_id: str, start: datetime, end: datetime) -> Sequence[Measure]:
        """Issued in ``[start, end)``, withdrawn or not, as the recipient's analysts see them."""
        org = self.organisations.organisation(org_id)
        if org is None:
            return []
        found = self.desk.measures(recipient(org), current=False)
        return [
            Measure(
                title=f"{m.kind} {m.value} ({m.reason})",
                kind=str(m.kind),
                issued_at=m.created_at,
                tlp=TlpLevel[m.tlp.upper().replace("+", "_")],
            )
            for m in found
            if start <= m.created_at < end
        ]


@dataclass(frozen=True, slots=True)
class StoreAudit:
    """The store's audit chain, one entry per report delivered, in its own transaction."""

    store: Store

    def record(self, entry: AuditRecord) -> None:
        """Append the entry."""
        with self.store.transaction() as tx:
            tx.audit.append(entry)


def intel_item(found: Exported) -> IntelItem:
    """What a report shows of one object."""
    obj = found.obj
    count = obj.get("count", 1)
    return IntelItem(
        stix_id=found.stix_id,
        type=str(obj.get("type", "")),
        name=str(obj.get("name", "")),
        pattern=str(obj.get("pattern", "")),
        added=_moment(found.date_added),
        tlp=found.descriptor.tlp if found.descriptor.tlp is not None else UNMARKED_TLP,
        sighting_of=str(obj.get("sighting_of_ref", "")),
        count=count if isinstance(count, int) and not isinstance(count, bool) else 1,
    )


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sitrep_desk(
    store: Store,
    live: tuple[IncidentDesk, AlertDesk, CampaignDesk],
    *,
    posture: PostureSource | None = None,
    measures: MeasuresSource | None = None,
    assistance: AssistanceSource | None = None,
) -> SitrepDesk:
    """The SITREP desk over the store and the live desks (and whatever else is wired)."""
    incidents, alerts, campaigns = live
    sources = SitrepSources(
        organisations=StoreOrganisations(store),
        incidents=incidents,
        alerts=alerts,
        campaigns=campaigns,
        intel=SharedIntel(store),
        posture=posture,
        measures=measures,
        assistance=assistance,
        audit=StoreAudit(store),
    )
    return SitrepDesk(sources)

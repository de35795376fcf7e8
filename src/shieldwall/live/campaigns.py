"""Campaigns as people see them: through the gate, hidden exactly like absent; and what a
member releases of its incidents to the other members of its campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import Campaign, CampaignSight, Incident, IncidentRelease
from shieldwall.policy.campaigns import (
    campaign_scope,
    campaign_sight,
    may_release,
    release_fields,
    release_marking,
    released_facts,
    released_parts,
)
from shieldwall.policy.gate import Viewer
from shieldwall.policy.incidents import may_see_incident
from shieldwall.policy.store_directory import StoreDirectory
from shieldwall.store.protocols import Store, UnitOfWork

MAX_PAGE = 1000
MAX_NOTE = 2000
MAX_TECHNIQUES_READ = 500


@dataclass(frozen=True, slots=True)
class CampaignDesk:
    """Reads of campaigns, each in one read-only transaction with the caller's scope."""

    store: Store

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[CampaignSight]:
        """Campaigns after id ``after`` the caller's organisation is part of (all: centre)."""
        scope = campaign_scope(who)
        with self.store.reading() as tx:
            found = tx.campaigns.page(scope, after=after, limit=max(1, min(limit, MAX_PAGE)))
            return _sights(tx, who, found)

    def get(self, who: Principal, campaign_id: int) -> CampaignSight:
        """One campaign as the caller may see it; NotFoundError when hidden or absent."""
        campaign_scope(who)
        with self.store.reading() as tx:
            campaign = tx.campaigns.get(campaign_id)
            sights = _sights(tx, who, [campaign] if campaign is not None else [])
        if not sights:
            raise NotFoundError(f"campaign {campaign_id} not found")
        return sights[0]

    def release(
        self,
        who: Principal,
        incident_id: int,
        *,
        tlp: str,
        fields: tuple[str, ...],
        name_member: bool = False,
        note: str = "",
    ) -> IncidentRelease:
        """Release part of the caller's member's incident to the other members of its
        campaigns (replacing its last release), audited in the same transaction."""
        marking = release_marking(tlp)
        chosen = release_fields(fields)
        text = note.strip()
        if len(text) > MAX_NOTE:
            raise InputError(f"at most {MAX_NOTE} characters", place="note")
        with self.store.transaction() as tx:
            incident = _own_incident(tx, who, incident_id)
            release = IncidentRelease(
                incident_id=incident.id,
                org_id=incident.org_id,
                marking_ref=marking,
                name_member=name_member,
                fields=chosen,
                note=text,
                released_by=who.person_id,
                released_at=incident.updated_at,  # the store stamps it when kept
            )
            kept = tx.releases.put(release)
            _audit(tx, who, incident, "incident.release")
        return kept

    def withdraw(self, who: Principal, incident_id: int) -> bool:
        """Withdraw the incident's release; whether there was one."""
        with self.store.transaction() as tx:
            incident = _own_incident(tx, who, incident_id)
            done = tx.releases.withdraw(incident.id)
            _audit(tx, who, incident, "incident.withdraw_release")
        return done


def _sights(tx: UnitOfWork, who: Principal, campaigns: Sequence[Campaign]) -> list[CampaignSight]:
    """The campaigns as the caller may see them, each with what the others released to
    it: the releases of a page read in one call, the directory and each released
    incident's facts once."""
    seen = [(campaign, sight) for campaign in campaigns if (sight := campaign_sight(who, campaign))]
    hidden = [
        incident_id
        for campaign, sight in seen
        if sight.other_members
        for member in campaign.members
        if member.org_id not in {shown.org_id for shown in sight.members}
        for incident_id in member.incident_ids
    ]
    releases = tx.releases.of(hidden) if hidden else {}
    if not releases:
        return [sight for _, sight in seen]
    viewer = Viewer.for_principal(who, StoreDirectory(tx))
    known: dict[int, dict[str, Any]] = {}

    def facts(release: IncidentRelease) -> dict[str, Any]:
        if release.incident_id not in known:
            incident = tx.incidents.get(release.incident_id)
            if incident is None:  # a foreign key keeps it; be safe on read
                raise NotFoundError(f"incident {release.incident_id} not found")
            known[incident.id] = released_facts(incident, _techniques(tx, incident.id))
        return known[release.incident_id]

    return [
        replace(sight, released=released_parts(viewer, sight, campaign, releases, facts))
        for campaign, sight in seen
    ]


def _techniques(tx: UnitOfWork, incident_id: int) -> tuple[str, ...]:
    """The incident's ATT&CK techniques in the order they first appear."""
    seqs = tx.incidents.alert_seqs(incident_id)[:MAX_TECHNIQUES_READ]
    ordered = sorted(tx.alerts.techniques(seqs), key=lambda alert: (alert.at, alert.seq))
    return tuple(dict.fromkeys(t for alert in ordered for t in alert.techniques))


def _own_incident(tx: UnitOfWork, who: Principal, incident_id: int) -> Incident:
    """The incident, if the caller may release it; hidden and absent answer alike."""
    incident = tx.incidents.get(incident_id)
    if incident is None or not may_see_incident(who, incident.org_id):
        raise NotFoundError(f"incident {incident_id} not found")
    may_release(who, incident)
    return incident


def _audit(tx: UnitOfWork, who: Principal, incident: Incident, action: str) -> None:
    tx.audit.append(AuditRecord(who.person_id, who.org_id, action, "incident", str(incident.id)))


def campaign_json(sight: CampaignSight) -> dict[str, Any]:
    """A campaign as the API shows it."""
    return {
        "id": sight.id,
        "observable": sight.link,
        "created_at": sight.created_at.isoformat(),
        "members": [
            {
                "org_id": member.org_id,
                "incidents": list(member.incident_ids),
                "first_seen": member.first_seen.isoformat(),
            }
            for member in sight.members
        ],
        "other_members": sight.other_members,
        "released": [
            {
                "org_id": part.org_id,
                "incident": part.incident,
                "note": part.note,
                "released_at": part.released_at.isoformat(),
            }
            for part in sight.released
        ],
    }


def release_json(release: IncidentRelease) -> dict[str, Any]:
    """A member's release of its incident as the API shows it to that member."""
    return {
        "incident_id": release.incident_id,
        "tlp": next(
            (
                name
                for name in ("clear", "green", "amber", "amber+strict")
                if release_marking(name) == release.marking_ref
            ),
            "",
        ),
        "fields": list(release.fields),
        "name_member": release.name_member,
        "note": release.note,
        "released_at": release.released_at.isoformat(),
    }

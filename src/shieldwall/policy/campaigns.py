"""What each viewer may see of a campaign: the gate for incidents linked across members.

A campaign links incidents of several members that hold the same observable. The centre
sees all of it. A member part of it sees its own incidents in it and how many other
members are involved — "seen at N other members" — never which ones, nor their
incidents, unless a member *released* part of its incident: then the sharing gate
decides, like for any shared object, who of the campaign's other members receives it
(:func:`release_descriptor`: the releasing member is the producer, its TLP marking the
level, the campaign's members the recipients at AMBER and AMBER+STRICT; TLP:RED, for
named people, is not offered). A member not part of it, and a role that reads no
campaign, learn nothing: the campaign is *not found*, exactly like an absent one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shieldwall.model.errors import InputError, PermissionDeniedError
from shieldwall.model.identity import OrgKind, Principal
from shieldwall.model.incident import (
    RELEASABLE_FIELDS,
    Campaign,
    CampaignSight,
    Incident,
    IncidentRelease,
    ReleasedPart,
)
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.policy.roles import Action, may

RELEASE_LEVELS = {
    "clear": TlpLevel.CLEAR,
    "green": TlpLevel.GREEN,
    "amber": TlpLevel.AMBER,
    "amber+strict": TlpLevel.AMBER_STRICT,
}
"""The TLP levels a release may carry (RED names people; a release goes to members)."""


def campaign_scope(principal: Principal) -> frozenset[str] | None:
    """The members whose campaigns the principal may see; None for every one."""
    if not may(principal.role, Action.CAMPAIGN_READ):
        raise PermissionDeniedError(f"role {principal.role} may not read campaigns")
    if principal.org_kind is OrgKind.CENTRE:
        return None
    return frozenset({principal.org_id})


def campaign_sight(principal: Principal, campaign: Campaign) -> CampaignSight | None:
    """The campaign as the principal may see it; None when it may not know it exists."""
    scope = campaign_scope(principal)
    shown = tuple(m for m in campaign.members if scope is None or m.org_id in scope)
    if not shown:
        return None
    return CampaignSight(
        id=campaign.id,
        link=campaign.link,
        created_at=campaign.created_at,
        members=shown,
        other_members=len(campaign.members) - len(shown),
    )


def release_marking(level: str) -> str:
    """The TLP 2.0 marking-definition id of a release level; InputError for another."""
    found = RELEASE_LEVELS.get(level.strip().lower())
    if found is None:
        raise InputError(f"tlp must be one of {', '.join(RELEASE_LEVELS)}", place="tlp")
    return TLP2_BY_LEVEL[found].id


def release_fields(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields a release names, checked and in a fixed order."""
    unknown = sorted(set(fields) - set(RELEASABLE_FIELDS))
    if unknown:
        raise InputError(
            f"not releasable: {', '.join(unknown)}; choose from {', '.join(RELEASABLE_FIELDS)}",
            place="fields",
        )
    return tuple(name for name in RELEASABLE_FIELDS if name in fields)


def release_descriptor(release: IncidentRelease, campaign: Campaign) -> ObjectDescriptor:
    """A release as the sharing gate sees it: produced by the releasing member, marked
    with its TLP level, addressed to the campaign's members (the recipients at AMBER and
    AMBER+STRICT; at CLEAR and GREEN the campaign's visibility keeps it to them)."""
    return ObjectDescriptor(
        id=f"incident-release--{release.incident_id}",
        producer_org_id=release.org_id,
        marking_refs=(release.marking_ref,),
        recipient_org_ids=frozenset(member.org_id for member in campaign.members),
    )


def released_parts(
    viewer: Viewer,
    sight: CampaignSight,
    campaign: Campaign,
    releases: Mapping[int, IncidentRelease],
    facts: Callable[[IncidentRelease], Mapping[str, Any]],
) -> tuple[ReleasedPart, ...]:
    """What the campaign's members not shown to the viewer released to it, through the
    gate: each released incident with the fields its member chose (``facts`` gives every
    field's value), named only when the member chose to be."""
    shown = {member.org_id for member in sight.members}
    parts: list[ReleasedPart] = []
    for member in campaign.members:
        if member.org_id in shown:
            continue
        for incident_id in member.incident_ids:
            release = releases.get(incident_id)
            if release is None or not viewer.may_receive(release_descriptor(release, campaign)):
                continue
            values = facts(release)
            parts.append(
                ReleasedPart(
                    org_id=release.org_id if release.name_member else None,
                    incident={name: values[name] for name in release.fields},
                    note=release.note,
                    released_at=release.released_at,
                )
            )
    return tuple(parts)


def released_facts(incident: Incident, techniques: tuple[str, ...]) -> dict[str, Any]:
    """Every releasable field's value for an incident."""
    return {
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status.value,
        "alert_count": incident.alert_count,
        "first_seen": incident.first_seen.isoformat() if incident.first_seen else None,
        "last_seen": incident.last_seen.isoformat() if incident.last_seen else None,
        "techniques": list(techniques),
    }


def may_release(principal: Principal, incident: Incident) -> None:
    """Only the incident's own member releases it (the centre does not speak for it), by
    people who handle incidents; PermissionDeniedError otherwise."""
    if principal.org_id != incident.org_id or not may(principal.role, Action.INCIDENT_MANAGE):
        raise PermissionDeniedError("only the incident's own member's handlers may release it")

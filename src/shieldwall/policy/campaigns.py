"""What each viewer may see of a campaign: the gate for incidents linked across members.

A campaign links incidents of several members that hold the same observable. The centre
sees all of it. A member part of it sees its own incidents in it and how many other
members are involved — "seen at N other members" — never which ones, nor their
incidents (what members release to each other beyond that goes through the sharing gate,
later). A member not part of it, and a role that reads no campaign, learn nothing: the
campaign is *not found*, exactly like an absent one.
"""

from __future__ import annotations

from shieldwall.model.errors import PermissionDeniedError
from shieldwall.model.identity import OrgKind, Principal
from shieldwall.model.incident import Campaign, CampaignSight
from shieldwall.policy.roles import Action, may


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

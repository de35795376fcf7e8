"""Campaigns as people see them: through the gate, hidden exactly like absent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import CampaignSight
from shieldwall.policy.campaigns import campaign_scope, campaign_sight
from shieldwall.store.protocols import Store

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class CampaignDesk:
    """Reads of campaigns, each in one read-only transaction with the caller's scope."""

    store: Store

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[CampaignSight]:
        """Campaigns after id ``after`` the caller's organisation is part of (all: centre)."""
        scope = campaign_scope(who)
        with self.store.reading() as tx:
            found = tx.campaigns.page(scope, after=after, limit=max(1, min(limit, MAX_PAGE)))
        sights = (campaign_sight(who, campaign) for campaign in found)
        return [sight for sight in sights if sight is not None]

    def get(self, who: Principal, campaign_id: int) -> CampaignSight:
        """One campaign as the caller may see it; NotFoundError when hidden or absent."""
        campaign_scope(who)
        with self.store.reading() as tx:
            campaign = tx.campaigns.get(campaign_id)
        sight = campaign_sight(who, campaign) if campaign is not None else None
        if sight is None:
            raise NotFoundError(f"campaign {campaign_id} not found")
        return sight


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
    }

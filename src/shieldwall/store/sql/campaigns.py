"""SQL repository for campaigns: which incidents of which members hold each observable.

Each observable held by an incident has a row; it is a campaign once incidents of two
or more members hold it, under the id it had from the start. Every write runs in the
fuse worker's transaction, and the unique keys make a repeated note change nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.incident import Campaign, CampaignMember
from shieldwall.store.sql.tables import campaign_links, campaigns

MIN_MEMBERS = 2
"""An observable becomes a campaign when incidents of this many members hold it."""


class SqlCampaigns:
    """Campaigns in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
        self._noted: set[tuple[str, str, int]] = set()
        """Notes without a window made in this transaction: the same again changes nothing
        (its rows are there, and the observable's row is ours until commit)."""

    def note(
        self,
        link: str,
        org_id: str,
        incident_id: int,
        at: datetime,
        *,
        window_seconds: float | None = None,
    ) -> None:
        """Record that the incident holds the observable; a campaign at two members.

        The observable's row is upserted first: on PostgreSQL that locks it, so replicas
        noting one observable for two members take turns and the second counts both.
        With ``window_seconds`` (technique chains), only members holding it within that
        much of ``at`` count, and the count never goes down: once a campaign, always one.
        """
        if window_seconds is None:
            if (link, org_id, incident_id) in self._noted:
                return  # a busy incident notes its host for every hit of a batch
            self._noted.add((link, org_id, incident_id))
        campaign = self._db.execute(
            self._dialect.insert(campaigns)
            .values(link=link, members=0, created_at=self._now)
            .on_conflict_do_update(index_elements=["link"], set_={"link": link})
            .returning(campaigns.c.id)
        ).scalar_one()
        self._db.execute(
            self._dialect.insert(campaign_links)
            .values(link=link, org_id=org_id, incident_id=incident_id, first_seen=at)
            .on_conflict_do_nothing(index_elements=["link", "incident_id"])
        )
        counted = select(func.count(campaign_links.c.org_id.distinct())).where(
            campaign_links.c.link == link
        )
        if window_seconds is None:
            members: Any = counted.scalar_subquery()
        else:
            span = timedelta(seconds=window_seconds)
            near = counted.where(campaign_links.c.first_seen.between(at - span, at + span))
            within = near.scalar_subquery()
            members = case((campaigns.c.members > within, campaigns.c.members), else_=within)
        self._db.execute(
            update(campaigns).where(campaigns.c.id == campaign).values(members=members)
        )

    def move(self, source: int, target: int) -> None:
        """An incident merged into another hands its observables over."""
        self._noted.clear()
        held = select(campaign_links.c.link).where(campaign_links.c.incident_id == target)
        self._db.execute(
            delete(campaign_links).where(
                campaign_links.c.incident_id == source, campaign_links.c.link.in_(held)
            )
        )
        self._db.execute(
            update(campaign_links)
            .where(campaign_links.c.incident_id == source)
            .values(incident_id=target)
        )

    def page(
        self, org_ids: Collection[str] | None, *, after: int, limit: int
    ) -> Sequence[Campaign]:
        """Campaigns after id ``after`` that involve one of ``org_ids`` (None: all)."""
        query = (
            select(campaigns)
            .where(campaigns.c.id > after, campaigns.c.members >= MIN_MEMBERS)
            .order_by(campaigns.c.id)
        )
        if org_ids is not None:
            involved = select(campaign_links.c.link).where(
                campaign_links.c.org_id.in_(sorted(org_ids))
            )
            query = query.where(campaigns.c.link.in_(involved))
        rows = list(self._db.execute(query.limit(limit)))
        return self._with_members(rows)

    def get(self, campaign_id: int) -> Campaign | None:
        query = select(campaigns).where(
            campaigns.c.id == campaign_id, campaigns.c.members >= MIN_MEMBERS
        )
        rows = list(self._db.execute(query))
        found = self._with_members(rows)
        return found[0] if found else None

    def _with_members(self, rows: list[Any]) -> list[Campaign]:
        if not rows:
            return []
        links = [row.link for row in rows]
        held: dict[str, dict[str, list[Any]]] = {}
        query = (
            select(campaign_links)
            .where(campaign_links.c.link.in_(links))
            .order_by(campaign_links.c.org_id, campaign_links.c.incident_id)
        )
        for row in self._db.execute(query):
            held.setdefault(row.link, {}).setdefault(row.org_id, []).append(row)
        return [
            Campaign(
                id=row.id,
                link=row.link,
                created_at=row.created_at,
                members=tuple(
                    CampaignMember(
                        org_id=org_id,
                        incident_ids=tuple(r.incident_id for r in parts),
                        first_seen=min(r.first_seen for r in parts),
                    )
                    for org_id, parts in sorted(held.get(row.link, {}).items())
                ),
            )
            for row in rows
        ]

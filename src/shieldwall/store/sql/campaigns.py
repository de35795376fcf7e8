"""SQL repository for campaigns: which incidents of which members hold each observable.

Each observable held by an incident has a row; it is a campaign once incidents of two
or more members hold it, under the id it had from the start. Every write runs in the
fuse worker's transaction, and the unique keys make a repeated note change nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.incident import Campaign, CampaignMember
from shieldwall.store.sql.direct import Direct
from shieldwall.store.sql.tables import campaign_links, campaigns

MIN_MEMBERS = 2
"""An observable becomes a campaign when incidents of this many members hold it."""


class _Statements:
    """The upserts of :meth:`SqlCampaigns.note`, built once per dialect (the fuse stage
    runs them for every observable of its hits; building them cost more than running)."""

    def __init__(self, dialect: Any) -> None:
        upsert = dialect.insert(campaigns)
        self.upsert = Direct(
            upsert.on_conflict_do_update(
                index_elements=["link"], set_={"link": upsert.excluded.link}
            ).returning(campaigns.c.id),
            ["link", "members", "created_at"],
        )
        self.hold = Direct(
            dialect.insert(campaign_links).on_conflict_do_nothing(
                index_elements=["link", "incident_id"]
            ),
            ["link", "org_id", "incident_id", "first_seen"],
        )


_STATEMENTS = {"sqlite": _Statements(sqlite), "postgresql": _Statements(postgresql)}

_COUNTED = select(func.count(campaign_links.c.org_id.distinct())).where(
    campaign_links.c.link == bindparam("b_link")
)
_COUNT = Direct(
    update(campaigns)
    .where(campaigns.c.id == bindparam("b_id"))
    .values(members=_COUNTED.scalar_subquery())
)
"""The observable's members: every member holding it."""
_WITHIN = _COUNTED.where(
    campaign_links.c.first_seen.between(bindparam("b_start"), bindparam("b_end"))
).scalar_subquery()
_COUNT_NEAR = Direct(
    update(campaigns)
    .where(campaigns.c.id == bindparam("b_id"))
    .values(members=case((campaigns.c.members > _WITHIN, campaigns.c.members), else_=_WITHIN))
)
"""The chain's members within the window, never fewer than before."""


class SqlCampaigns:
    """Campaigns in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._noted: set[tuple[str, str, int]] = set()
        """Notes without a window made in this transaction: the same again changes nothing
        (its rows are there, and the observable's row is ours until commit)."""
        self._ids: dict[str, int] | None = {} if connection.dialect.name == "sqlite" else None
        """SQLite: the observables' rows upserted in this transaction; upserting one again
        would change nothing and return the same id. Not on PostgreSQL, where each upsert
        takes a number of the id sequence even when the row exists: skipping some would
        give later observables other ids than before."""

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
        Without it, the count is every member holding it, written after each row added:
        a note adding no row (the incident held it already) leaves the count as it was.
        """
        if window_seconds is None:
            if (link, org_id, incident_id) in self._noted:
                return  # a busy incident notes its host for every hit of a batch
            self._noted.add((link, org_id, incident_id))
        statements = _STATEMENTS[self._db.dialect.name]
        ids = self._ids
        campaign = ids.get(link) if ids is not None else None
        if campaign is None:
            upserted = {"link": link, "members": 0, "created_at": self._now}
            campaign = statements.upsert.all(self._db, upserted)[0][0]
            if ids is not None:
                ids[link] = campaign
        row = {"link": link, "org_id": org_id, "incident_id": incident_id, "first_seen": at}
        added = statements.hold.run(self._db, row)
        if window_seconds is None:
            if added:  # rows move between incidents of one member only (merges)
                _COUNT.run(self._db, {"b_id": campaign, "b_link": link})
        else:
            span = timedelta(seconds=window_seconds)
            near = {"b_id": campaign, "b_link": link, "b_start": at - span, "b_end": at + span}
            _COUNT_NEAR.run(self._db, near)

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

"""SQL repository for posture: its signals, each scope's current level, and every change.

The signals are read from the incident and campaign tables the fuse stage keeps: the open
incidents (not closed, not merged) and, per member, the campaigns it is part of. A change
is one history row keyed by the scope's previous change (``after_id``, unique), then the
scope's current row pointed at it, in the recomputation's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.incident import IncidentStatus
from shieldwall.model.posture import (
    CampaignSignal,
    IncidentSignal,
    Level,
    PostureEntry,
    ScopeKind,
)
from shieldwall.store.sql.campaigns import MIN_MEMBERS
from shieldwall.store.sql.tables import (
    campaign_links,
    campaigns,
    incidents,
    organisations,
    posture_history,
    posture_levels,
)

LOCK_KEY = 0x5057_0015
"""The PostgreSQL advisory lock recomputations take turns on."""


def _entry(row: Any) -> PostureEntry:
    return PostureEntry(
        id=row.id,
        kind=ScopeKind(row.kind),
        key=row.key,
        level=row.level,
        previous=row.previous,
        score=row.score,
        at=row.at,
    )


class SqlPosture:
    """Posture in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def lock(self) -> None:
        """Recomputations take turns on PostgreSQL (SQLite runs one writer at a time)."""
        if self._db.dialect.name == "postgresql":
            self._db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})

    def incident_signals(self) -> Sequence[IncidentSignal]:
        seen = func.coalesce(incidents.c.last_seen, incidents.c.created_at)
        query = select(incidents.c.org_id, incidents.c.severity, seen.label("seen")).where(
            incidents.c.status != IncidentStatus.CLOSED.value, incidents.c.merged_into.is_(None)
        )
        return [
            IncidentSignal(org_id=row.org_id, severity=row.severity, last_seen=row.seen)
            for row in self._db.execute(query)
        ]

    def campaign_signals(self) -> Sequence[CampaignSignal]:
        """Each member's part in each campaign: the campaign's width and latest sighting."""
        latest = (
            select(campaign_links.c.link, func.max(campaign_links.c.first_seen).label("latest"))
            .group_by(campaign_links.c.link)
            .subquery()
        )
        query = (
            select(campaign_links.c.org_id, campaigns.c.members, latest.c.latest)
            .join(campaigns, campaigns.c.link == campaign_links.c.link)
            .join(latest, latest.c.link == campaign_links.c.link)
            .where(campaigns.c.members >= MIN_MEMBERS)
            .distinct()
        )
        return [
            CampaignSignal(org_id=row.org_id, members=row.members, last_seen=row.latest)
            for row in self._db.execute(query)
        ]

    def current(self) -> Sequence[PostureEntry]:
        query = (
            select(posture_history)
            .join(posture_levels, posture_levels.c.history_id == posture_history.c.id)
            .order_by(posture_history.c.kind, posture_history.c.key)
        )
        return [_entry(row) for row in self._db.execute(query)]

    def change(self, level: Level, previous: PostureEntry | None) -> PostureEntry:
        row: dict[str, Any] = {
            "kind": level.kind.value,
            "key": level.key,
            "after_id": previous.id if previous else 0,
            "level": level.level,
            "previous": previous.level if previous else None,
            "score": level.score,
            "at": self._now,
        }
        new_id = self._db.execute(
            posture_history.insert().values(**row).returning(posture_history.c.id)
        ).scalar_one()
        self._db.execute(
            self._dialect.insert(posture_levels)
            .values(kind=level.kind.value, key=level.key, history_id=new_id)
            .on_conflict_do_update(index_elements=["kind", "key"], set_={"history_id": new_id})
        )
        return PostureEntry(
            id=int(new_id),
            kind=level.kind,
            key=level.key,
            level=level.level,
            previous=previous.level if previous else None,
            score=level.score,
            at=self._now,
        )

    def history(
        self, scopes: Collection[tuple[ScopeKind, str]] | None, *, after: int, limit: int
    ) -> Sequence[PostureEntry]:
        query = (
            select(posture_history)
            .where(posture_history.c.id > after)
            .order_by(posture_history.c.id)
            .limit(limit)
        )
        if scopes is not None:
            if not scopes:
                return []
            query = query.where(
                or_(
                    *(
                        and_(posture_history.c.kind == kind.value, posture_history.c.key == key)
                        for kind, key in sorted(scopes)
                    )
                )
            )
        return [_entry(row) for row in self._db.execute(query)]


class SqlSectors:
    """Organisations' sectors in one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def set_sectors(self, org_id: str, sectors: Sequence[str]) -> None:
        """Replace the organisation's sectors (sorted, each once)."""
        self._db.execute(
            organisations.update()
            .where(organisations.c.id == org_id)
            .values(sectors=sorted(set(sectors)))
        )

"""SQL repositories for TAXII bookkeeping (collections, statuses) and communities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from shieldwall.model.identity import OrgKind
from shieldwall.model.intel import CollectionRecord, StatusRecord
from shieldwall.model.sharing import Community, CommunityRule
from shieldwall.store.sql.tables import communities, taxii_collections, taxii_statuses


class SqlCollections:
    """TAXII collections (named views over the intelligence store)."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, collection: CollectionRecord) -> None:
        self._db.execute(
            insert(taxii_collections).values(
                id=collection.id,
                kind=collection.kind,
                subject=collection.subject,
                title=collection.title,
                description=collection.description,
                max_tlp=collection.max_tlp,
                created_at=self._now,
            )
        )

    def list(self) -> list[CollectionRecord]:
        rows = self._db.execute(select(taxii_collections).order_by(taxii_collections.c.title))
        return [_collection(row) for row in rows]

    def get(self, collection_id: str) -> CollectionRecord | None:
        row = self._db.execute(
            select(taxii_collections).where(taxii_collections.c.id == collection_id)
        ).first()
        return _collection(row) if row else None


def _collection(row: Any) -> CollectionRecord:
    return CollectionRecord(
        id=row.id,
        kind=row.kind,
        subject=row.subject,
        title=row.title,
        description=row.description,
        max_tlp=row.max_tlp,
    )


class SqlStatuses:
    """Outcomes of TAXII add-objects requests."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, status: StatusRecord) -> None:
        detail = {
            "successes": list(status.successes),
            "failures": list(status.failures),
            "pendings": list(status.pendings),
        }
        self._db.execute(
            insert(taxii_statuses).values(
                id=status.id,
                org_id=status.org_id,
                person_id=status.person_id,
                created_at=status.created_at,
                total=status.total,
                detail=detail,
            )
        )

    def get(self, status_id: str) -> StatusRecord | None:
        row = self._db.execute(
            select(taxii_statuses).where(taxii_statuses.c.id == status_id)
        ).first()
        if row is None:
            return None
        detail = row.detail
        return StatusRecord(
            id=row.id,
            org_id=row.org_id,
            person_id=row.person_id,
            created_at=row.created_at,
            total=row.total,
            successes=tuple(detail["successes"]),
            failures=tuple(detail["failures"]),
            pendings=tuple(detail["pendings"]),
        )

    def purge(self, before: datetime) -> int:
        """Forget statuses created before ``before``; returns how many went."""
        result = self._db.execute(
            delete(taxii_statuses).where(taxii_statuses.c.created_at < before)
        )
        return int(result.rowcount or 0)


class SqlCommunities:
    """Named sets of organisations (rules plus manual members minus exclusions)."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def add(self, community: Community) -> None:
        self._db.execute(
            insert(communities).values(
                id=community.id,
                name=community.name,
                rules=[_rule_json(rule) for rule in community.rules],
                members=sorted(community.members),
                excluded=sorted(community.excluded),
                created_at=self._now,
            )
        )

    def list(self) -> Sequence[Community]:
        rows = self._db.execute(select(communities).order_by(communities.c.id))
        return [_community(row) for row in rows]

    def get(self, community_id: str) -> Community | None:
        row = self._db.execute(select(communities).where(communities.c.id == community_id)).first()
        return _community(row) if row else None

    def update(self, community: Community) -> None:
        """Replace the name, rules, members and exclusions of an existing community."""
        self._db.execute(
            update(communities)
            .where(communities.c.id == community.id)
            .values(
                name=community.name,
                rules=[_rule_json(rule) for rule in community.rules],
                members=sorted(community.members),
                excluded=sorted(community.excluded),
            )
        )


def _rule_json(rule: CommunityRule) -> dict[str, list[str]]:
    return {
        "kinds": sorted(kind.value for kind in rule.kinds),
        "countries": sorted(rule.countries),
        "sectors": sorted(rule.sectors),
    }


def _community(row: Any) -> Community:
    rules = tuple(
        CommunityRule(
            kinds=frozenset(OrgKind(kind) for kind in rule["kinds"]),
            countries=frozenset(rule["countries"]),
            sectors=frozenset(rule["sectors"]),
        )
        for rule in row.rules
    )
    return Community(
        id=row.id,
        name=row.name,
        rules=rules,
        members=frozenset(row.members),
        excluded=frozenset(row.excluded),
    )

"""SQL repository for the items of cases: tasks, observables, comments, evidence (and its
bytes, kept once per SHA-256 in ``case_blobs``) and the timeline.

Every write runs in the caller's transaction, with its timeline entry and its audit entry,
so a change and its record commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.case import CaseItem, ItemKind, TaskStatus, TimelineEntry
from shieldwall.model.sharing import TlpLevel
from shieldwall.store.sql.tables import case_blobs, case_items, case_timeline


def _item(row: Any) -> CaseItem:
    return CaseItem(
        id=row.id,
        case_id=row.case_id,
        kind=ItemKind(row.kind),
        org_id=row.org_id,
        author=row.author,
        tlp=TlpLevel(row.tlp),
        body=row.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner=row.owner,
        due_at=row.due_at,
        status=TaskStatus(row.status) if row.status else None,
        observable_type=row.observable_type,
        sha256=row.sha256,
        size=row.size,
        media_type=row.media_type,
    )


class SqlCaseItems:
    """The items and timeline of cases in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def add_item(self, item: CaseItem) -> None:
        self._db.execute(
            insert(case_items).values(
                id=item.id,
                case_id=item.case_id,
                kind=item.kind.value,
                org_id=item.org_id,
                author=item.author,
                tlp=int(item.tlp),
                body=item.body,
                owner=item.owner,
                due_at=item.due_at,
                status=item.status.value if item.status else None,
                observable_type=item.observable_type,
                sha256=item.sha256,
                size=item.size,
                media_type=item.media_type,
                created_at=item.created_at,
                updated_at=item.updated_at,
            )
        )

    def item(self, item_id: str) -> CaseItem | None:
        row = self._db.execute(select(case_items).where(case_items.c.id == item_id)).first()
        return _item(row) if row else None

    def items(self, case_id: int) -> Sequence[CaseItem]:
        query = (
            select(case_items)
            .where(case_items.c.case_id == case_id)
            .order_by(case_items.c.created_at, case_items.c.id)
        )
        return [_item(row) for row in self._db.execute(query)]

    def set_task_status(self, item_id: str, status: TaskStatus) -> None:
        self._db.execute(
            update(case_items)
            .where(case_items.c.id == item_id)
            .values(status=status.value, updated_at=self._now)
        )

    def put_blob(self, sha256: str, content: bytes) -> bool:
        statement = (
            self._dialect.insert(case_blobs)
            .values(sha256=sha256, size=len(content), content=content)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(case_blobs.c.sha256)
        )
        return self._db.execute(statement).first() is not None

    def blob(self, sha256: str) -> bytes | None:
        row = self._db.execute(
            select(case_blobs.c.content).where(case_blobs.c.sha256 == sha256)
        ).first()
        return bytes(row[0]) if row else None

    def record(
        self,
        case_id: int,
        *,
        actor: str,
        org_id: str,
        action: str,
        item_id: str | None,
        owners_only: bool,
        detail: dict[str, object],
    ) -> None:
        self._db.execute(
            insert(case_timeline).values(
                case_id=case_id,
                at=self._now,
                actor=actor,
                org_id=org_id,
                action=action,
                item_id=item_id,
                owners_only=owners_only,
                detail=detail,
            )
        )

    def timeline(self, case_id: int) -> Sequence[TimelineEntry]:
        query = (
            select(case_timeline)
            .where(case_timeline.c.case_id == case_id)
            .order_by(case_timeline.c.id)
        )
        return [
            TimelineEntry(
                id=row.id,
                case_id=row.case_id,
                at=row.at,
                actor=row.actor,
                org_id=row.org_id,
                action=row.action,
                item_id=row.item_id,
                owners_only=bool(row.owners_only),
                detail=dict(row.detail),
            )
            for row in self._db.execute(query)
        ]

    def overdue_tasks(self, now: datetime, limit: int) -> Sequence[CaseItem]:
        query = (
            select(case_items)
            .where(
                case_items.c.kind == ItemKind.TASK.value,
                case_items.c.status == TaskStatus.OPEN.value,
                case_items.c.due_at < now,
            )
            .order_by(case_items.c.due_at, case_items.c.id)
            .limit(limit)
        )
        return [_item(row) for row in self._db.execute(query)]

"""SQL repository for cases: the case row, its shares, items, evidence bytes and timeline.

Every write runs in the caller's transaction, with its timeline entry and its audit entry,
so a change and its record commit together or not at all. Evidence bytes are kept once
per SHA-256 (``case_blobs``): the same file added twice, to two cases, is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.case import (
    Case,
    CaseItem,
    CaseShare,
    CaseStatus,
    HandoverMark,
    ItemKind,
    TaskStatus,
    TimelineEntry,
)
from shieldwall.model.sharing import TlpLevel
from shieldwall.store.sql.tables import (
    case_blobs,
    case_items,
    case_shares,
    case_timeline,
    cases,
    handovers,
)

_OPEN_CASE = (CaseStatus.NEW.value, CaseStatus.TRIAGED.value, CaseStatus.IN_PROGRESS.value)


def _case(row: Any) -> Case:
    return Case(
        id=row.id,
        incident_id=row.incident_id,
        org_id=row.org_id,
        opened_org=row.opened_org,
        opened_by=row.opened_by,
        title=row.title,
        severity=row.severity,
        status=CaseStatus(row.status),
        close_reason=row.close_reason,
        assignee=row.assignee,
        shift=row.shift,
        due_at=row.due_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


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


class SqlCases:
    """Cases in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def open(
        self,
        *,
        incident_id: int,
        org_id: str,
        opened_org: str,
        opened_by: str,
        title: str,
        severity: str,
        due_at: datetime,
    ) -> int:
        row = {
            "incident_id": incident_id,
            "org_id": org_id,
            "opened_org": opened_org,
            "opened_by": opened_by,
            "title": title,
            "severity": severity,
            "status": CaseStatus.NEW.value,
            "due_at": due_at,
            "created_at": self._now,
            "updated_at": self._now,
        }
        return int(self._db.execute(insert(cases).values(row).returning(cases.c.id)).one()[0])

    def get(self, case_id: int) -> Case | None:
        row = self._db.execute(select(cases).where(cases.c.id == case_id)).first()
        return _case(row) if row else None

    def of_incident(self, incident_id: int) -> Case | None:
        row = self._db.execute(select(cases).where(cases.c.incident_id == incident_id)).first()
        return _case(row) if row else None

    def page(
        self, party: str | None, *, status: CaseStatus | None, after: int, limit: int
    ) -> Sequence[Case]:
        query = select(cases).where(cases.c.id > after).order_by(cases.c.id).limit(limit)
        if party is not None:
            shared = select(case_shares.c.case_id).where(case_shares.c.org_id == party)
            query = query.where(
                or_(cases.c.org_id == party, cases.c.opened_org == party, cases.c.id.in_(shared))
            )
        if status is not None:
            query = query.where(cases.c.status == status.value)
        return [_case(row) for row in self._db.execute(query)]

    def set_status(self, case_id: int, status: CaseStatus, close_reason: str | None) -> None:
        self._set(case_id, status=status.value, close_reason=close_reason)

    def assign(self, case_id: int, assignee: str | None, shift: str | None) -> None:
        self._set(case_id, assignee=assignee, shift=shift)

    def _set(self, case_id: int, **values: object) -> None:
        self._db.execute(
            update(cases).where(cases.c.id == case_id).values(**values, updated_at=self._now)
        )

    def share(self, share: CaseShare) -> None:
        values = {
            "case_id": share.case_id,
            "org_id": share.org_id,
            "max_tlp": int(share.max_tlp),
            "shared_by": share.shared_by,
            "at": share.at,
        }
        statement = self._dialect.insert(case_shares).values(values)
        self._db.execute(
            statement.on_conflict_do_update(
                index_elements=["case_id", "org_id"],
                set_={"max_tlp": values["max_tlp"], "shared_by": share.shared_by, "at": share.at},
            )
        )

    def unshare(self, case_id: int, org_id: str) -> bool:
        result = self._db.execute(
            delete(case_shares).where(
                case_shares.c.case_id == case_id, case_shares.c.org_id == org_id
            )
        )
        return bool(result.rowcount)

    def shares(self, case_id: int) -> Sequence[CaseShare]:
        query = (
            select(case_shares)
            .where(case_shares.c.case_id == case_id)
            .order_by(case_shares.c.org_id)
        )
        return [
            CaseShare(
                case_id=row.case_id,
                org_id=row.org_id,
                max_tlp=TlpLevel(row.max_tlp),
                shared_by=row.shared_by,
                at=row.at,
            )
            for row in self._db.execute(query)
        ]

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

    def overdue_cases(self, now: datetime, limit: int) -> Sequence[Case]:
        query = (
            select(cases)
            .where(cases.c.status.in_(_OPEN_CASE), cases.c.due_at < now)
            .order_by(cases.c.due_at, cases.c.id)
            .limit(limit)
        )
        return [_case(row) for row in self._db.execute(query)]


class SqlHandovers:
    """Shift handovers in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now

    def take(
        self, org_id: str, taken_by: str, last_incident_id: int, severities: dict[str, str]
    ) -> HandoverMark:
        statement = insert(handovers).values(
            org_id=org_id,
            taken_by=taken_by,
            at=self._now,
            last_incident_id=last_incident_id,
            severities=severities,
        )
        new_id = int(self._db.execute(statement.returning(handovers.c.id)).one()[0])
        return HandoverMark(
            id=new_id,
            org_id=org_id,
            taken_by=taken_by,
            at=self._now,
            last_incident_id=last_incident_id,
            severities=dict(severities),
        )

    def last(self, org_id: str) -> HandoverMark | None:
        row = self._db.execute(
            select(handovers)
            .where(handovers.c.org_id == org_id)
            .order_by(handovers.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return HandoverMark(
            id=row.id,
            org_id=row.org_id,
            taken_by=row.taken_by,
            at=row.at,
            last_incident_id=row.last_incident_id,
            severities={str(k): str(v) for k, v in dict(row.severities).items()},
        )

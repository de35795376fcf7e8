"""SQL repository for cases: the case row and its shares (items: ``case_items.py``), and
shift handovers.

Every write runs in the caller's transaction, with its timeline entry and its audit entry,
so a change and its record commit together or not at all. Evidence bytes are kept once
per SHA-256 (``case_blobs``): the same file added twice, to two cases, is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from shieldwall.model.case import (
    Case,
    CaseShare,
    CaseStatus,
    HandoverMark,
)
from shieldwall.model.sharing import TlpLevel
from shieldwall.store.sql.case_items import SqlCaseItems
from shieldwall.store.sql.tables import (
    case_shares,
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


class SqlCases(SqlCaseItems):
    """Cases in one transaction: the case rows and their shares (items: the base class)."""

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

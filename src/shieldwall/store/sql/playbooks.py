"""SQL repository for playbooks, their runs, journals, approvals and votes.

Idempotency is the database's: a run's ``start_key``, a journal entry's ``key`` and an
approval's ``key`` are unique, and one vote per organisation is the primary key. Inserts
use ``ON CONFLICT DO NOTHING`` so a second writer (a replica, a restarted process) finds
the row taken instead of failing its transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.playbook import (
    ApprovalRecord,
    ApprovalStatus,
    JournalEntry,
    NewRun,
    PlaybookRecord,
    RunRecord,
    RunStatus,
    Vote,
)
from shieldwall.store.sql.tables import (
    playbook_approvals,
    playbook_journal,
    playbook_runs,
    playbook_votes,
    playbooks,
)


def _run(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        playbook_org=row.playbook_org,
        playbook_id=row.playbook_id,
        start_key=row.start_key,
        org_id=row.org_id,
        concerns=tuple(row.concerns),
        principal=dict(row.principal),
        trigger=dict(row.trigger),
        variables=dict(row.variables),
        status=RunStatus(row.status),
        outcome=row.outcome,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _entry(row: Any) -> JournalEntry:
    return JournalEntry(
        run_id=row.run_id,
        key=row.key,
        step_id=row.step_id,
        kind=row.kind,
        status=row.status,
        inputs=dict(row.inputs),
        outputs=dict(row.outputs),
        actor=row.actor,
        at=row.at,
        seq=row.seq,
    )


def _playbook(row: Any) -> PlaybookRecord:
    return PlaybookRecord(
        id=row.id,
        name=row.name,
        org_id=row.org_id,
        document=dict(row.document),
        triggers=list(row.triggers),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlPlaybooks:
    """Playbooks and runs in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def save(self, record: PlaybookRecord) -> None:
        values = {
            "name": record.name,
            "document": record.document,
            "triggers": record.triggers,
            "updated_at": self._now,
        }
        statement = self._dialect.insert(playbooks).values(
            org_id=record.org_id, id=record.id, created_at=self._now, **values
        )
        self._db.execute(
            statement.on_conflict_do_update(index_elements=["org_id", "id"], set_=values)
        )

    def get(self, org_id: str, playbook_id: str) -> PlaybookRecord | None:
        row = self._db.execute(
            select(playbooks).where(playbooks.c.org_id == org_id, playbooks.c.id == playbook_id)
        ).first()
        return _playbook(row) if row else None

    def list(self, org_ids: Collection[str] | None) -> Sequence[PlaybookRecord]:
        query = select(playbooks).order_by(playbooks.c.org_id, playbooks.c.id)
        if org_ids is not None:
            query = query.where(playbooks.c.org_id.in_(sorted(org_ids)))
        return [_playbook(row) for row in self._db.execute(query)]

    def start(self, run: NewRun) -> tuple[RunRecord, bool]:
        names = ("playbook_org", "playbook_id", "start_key", "org_id", "principal", "trigger")
        row = {name: getattr(run, name) for name in (*names, "variables")}
        row.update(concerns=list(run.concerns), status=RunStatus.RUNNING.value, outcome="")
        row.update(created_at=self._now, updated_at=self._now)
        statement = (
            self._dialect.insert(playbook_runs)
            .values(row)
            .on_conflict_do_nothing(index_elements=["start_key"])
            .returning(playbook_runs.c.id)
        )
        created = self._db.execute(statement).first() is not None
        found = self._db.execute(
            select(playbook_runs).where(playbook_runs.c.start_key == run.start_key)
        ).one()
        return _run(found), created

    def run(self, run_id: int) -> RunRecord | None:
        row = self._db.execute(select(playbook_runs).where(playbook_runs.c.id == run_id)).first()
        return _run(row) if row else None

    def runs(
        self,
        org_ids: Collection[str] | None,
        *,
        status: RunStatus | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> Sequence[RunRecord]:
        query = select(playbook_runs).where(playbook_runs.c.id > after)
        if status is not None:
            query = query.where(playbook_runs.c.status == status.value)
        rows = [_run(row) for row in self._db.execute(query.order_by(playbook_runs.c.id))]
        if org_ids is not None:  # concerns is a JSON list: filtered here, on both databases
            rows = [run for run in rows if set(run.concerns) & set(org_ids)]
        return rows[:limit]

    def set_run(self, run_id: int, status: RunStatus, outcome: str) -> None:
        ended = (RunStatus.SUCCEEDED.value, RunStatus.FAILED.value)
        self._db.execute(
            update(playbook_runs)
            .where(playbook_runs.c.id == run_id, playbook_runs.c.status.not_in(ended))
            .values(status=status.value, outcome=outcome[:1000], updated_at=self._now)
        )

    def entry(self, key: str) -> JournalEntry | None:
        row = self._db.execute(
            select(playbook_journal).where(playbook_journal.c.key == key)
        ).first()
        return _entry(row) if row else None

    def journal(self, run_id: int) -> Sequence[JournalEntry]:
        query = (
            select(playbook_journal)
            .where(playbook_journal.c.run_id == run_id)
            .order_by(playbook_journal.c.seq)
        )
        return [_entry(row) for row in self._db.execute(query)]

    def record(self, entry: JournalEntry) -> bool:
        row = {
            "run_id": entry.run_id,
            "key": entry.key,
            "step_id": entry.step_id,
            "kind": entry.kind,
            "status": entry.status,
            "inputs": entry.inputs,
            "outputs": entry.outputs,
            "actor": entry.actor[:200],
            "at": entry.at or self._now,
        }
        statement = (
            self._dialect.insert(playbook_journal)
            .values(row)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(playbook_journal.c.seq)
        )
        return self._db.execute(statement).first() is not None

    def finish(self, key: str, status: str, outputs: dict[str, Any]) -> bool:
        result = self._db.execute(
            update(playbook_journal)
            .where(playbook_journal.c.key == key, playbook_journal.c.status == "running")
            .values(status=status, outputs=outputs, at=self._now)
        )
        return bool(result.rowcount == 1)

    def approval(self, key: str) -> ApprovalRecord | None:
        return self._one_approval(playbook_approvals.c.key == key)

    def approval_by_id(self, approval_id: int) -> ApprovalRecord | None:
        return self._one_approval(playbook_approvals.c.id == approval_id)

    def _one_approval(self, where: Any) -> ApprovalRecord | None:
        row = self._db.execute(select(playbook_approvals).where(where)).first()
        return self._approval(row) if row else None

    def add_approval(
        self,
        run_id: int,
        key: str,
        step_id: str,
        members: Sequence[str],
        required: int,
        expires_at: datetime,
        context: Mapping[str, Any] | None = None,
    ) -> ApprovalRecord:
        row = {
            "context": dict(context or {}),
            "run_id": run_id,
            "key": key,
            "step_id": step_id,
            "members": list(members),
            "required": required,
            "expires_at": expires_at,
            "status": ApprovalStatus.PENDING.value,
            "decided_at": None,
        }
        statement = (
            self._dialect.insert(playbook_approvals)
            .values(row)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        self._db.execute(statement)
        found = self.approval(key)
        assert found is not None
        return found

    def approvals(
        self, status: ApprovalStatus, *, run_ids: Collection[int] | None = None
    ) -> Sequence[ApprovalRecord]:
        query = select(playbook_approvals).where(playbook_approvals.c.status == status.value)
        if run_ids is not None:
            query = query.where(playbook_approvals.c.run_id.in_(sorted(run_ids)))
        rows = self._db.execute(query.order_by(playbook_approvals.c.id)).all()
        return [self._approval(row) for row in rows]

    def vote(self, approval_id: int, org_id: str, person_id: str, approve: bool) -> bool:
        statement = (
            self._dialect.insert(playbook_votes)
            .values(
                approval_id=approval_id,
                org_id=org_id,
                person_id=person_id,
                approve=approve,
                at=self._now,
            )
            .on_conflict_do_nothing(index_elements=["approval_id", "org_id"])
            .returning(playbook_votes.c.org_id)
        )
        return self._db.execute(statement).first() is not None

    def decide(self, approval_id: int, status: ApprovalStatus) -> None:
        self._db.execute(
            update(playbook_approvals)
            .where(playbook_approvals.c.id == approval_id)
            .values(status=status.value, decided_at=self._now)
        )

    def _approval(self, row: Any) -> ApprovalRecord:
        votes = self._db.execute(
            select(playbook_votes)
            .where(playbook_votes.c.approval_id == row.id)
            .order_by(playbook_votes.c.at, playbook_votes.c.org_id)
        ).all()
        return ApprovalRecord(
            id=row.id,
            run_id=row.run_id,
            key=row.key,
            step_id=row.step_id,
            members=tuple(row.members),
            required=row.required,
            expires_at=row.expires_at,
            status=ApprovalStatus(row.status),
            votes=tuple(Vote(v.org_id, v.person_id, v.approve, v.at) for v in votes),
            decided_at=row.decided_at,
            context=row.context or {},
        )

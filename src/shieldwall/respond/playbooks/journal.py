"""Where a run keeps what it did: the store (durable), or memory for a dry run.

The runner asks only these questions, so ``--dry-run`` walks the very same code with a
journal that writes nothing and assumes every approval is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from shieldwall.model.audit import AuditRecord
from shieldwall.model.playbook import ApprovalRecord, ApprovalStatus, JournalEntry, PlaybookRecord
from shieldwall.store.protocols import Store


class Journal(Protocol):
    """What the runner reads and writes about one run."""

    def done(self, key: str) -> JournalEntry | None: ...
    def record(self, entry: JournalEntry) -> bool: ...
    def finish(self, entry: JournalEntry) -> None: ...
    def approval(
        self,
        run_id: int,
        key: str,
        step_id: str,
        members: Sequence[str],
        required: int,
        expires_at: datetime,
        context: Mapping[str, Any] | None = None,
    ) -> ApprovalRecord: ...
    def expire(self, approval: ApprovalRecord) -> None: ...
    def playbook(self, org_id: str, playbook_id: str) -> PlaybookRecord | None: ...


MAX_PRINCIPAL = 64
"""What the audit log keeps of a principal (``audit_entries.principal``)."""


@dataclass
class StoreJournal:
    """The durable journal: every write its own transaction, audited with the run's actor."""

    store: Store
    actor: str
    org_id: str

    def done(self, key: str) -> JournalEntry | None:
        with self.store.reading() as tx:
            return tx.playbooks.entry(key)

    def record(self, entry: JournalEntry) -> bool:
        """Write the entry (done, or claimed as ``running``); False when the key was taken."""
        with self.store.transaction() as tx:
            written = tx.playbooks.record(entry)
            if written:
                tx.audit.append(self._audit(entry))
            return written

    def finish(self, entry: JournalEntry) -> None:
        """Complete a claimed step with its outcome."""
        with self.store.transaction() as tx:
            if tx.playbooks.finish(entry.key, entry.status, entry.outputs):
                tx.audit.append(self._audit(entry))

    def _audit(self, entry: JournalEntry) -> AuditRecord:
        """The step's audit record. An approval step's actor names every approver (one per
        organisation): they go in the detail, the run's actor is the principal."""
        single = entry.actor and "," not in entry.actor and len(entry.actor) <= MAX_PRINCIPAL
        detail = (
            entry.key[:300] if single or not entry.actor else f"{entry.key[:300]} by {entry.actor}"
        )
        return AuditRecord(
            entry.actor if single else self.actor,
            self.org_id,
            f"playbook.step.{entry.status}",
            "playbook-run",
            str(entry.run_id),
            detail=detail,
        )

    def approval(
        self,
        run_id: int,
        key: str,
        step_id: str,
        members: Sequence[str],
        required: int,
        expires_at: datetime,
        context: Mapping[str, Any] | None = None,
    ) -> ApprovalRecord:
        with self.store.transaction() as tx:
            found = tx.playbooks.approval(key)
            if found is not None:
                return found
            return tx.playbooks.add_approval(
                run_id, key, step_id, members, required, expires_at, context
            )

    def expire(self, approval: ApprovalRecord) -> None:
        with self.store.transaction() as tx:
            current = tx.playbooks.approval_by_id(approval.id)
            if current is not None and current.status is ApprovalStatus.PENDING:
                tx.playbooks.decide(approval.id, ApprovalStatus.EXPIRED)

    def playbook(self, org_id: str, playbook_id: str) -> PlaybookRecord | None:
        with self.store.reading() as tx:
            return tx.playbooks.get(org_id, playbook_id)


@dataclass
class DryJournal:
    """A journal in memory: nothing is written, approvals are assumed given."""

    store: Store | None
    now: datetime
    entries: list[JournalEntry] = field(default_factory=list)

    def done(self, key: str) -> JournalEntry | None:
        return next((entry for entry in self.entries if entry.key == key), None)

    def record(self, entry: JournalEntry) -> bool:
        if self.done(entry.key) is not None:
            return False
        self.entries.append(entry)
        return True

    def finish(self, entry: JournalEntry) -> None:
        self.entries = [entry if e.key == entry.key else e for e in self.entries]

    def approval(
        self,
        run_id: int,
        key: str,
        step_id: str,
        members: Sequence[str],
        required: int,
        expires_at: datetime,
        context: Mapping[str, Any] | None = None,
    ) -> ApprovalRecord:
        return ApprovalRecord(
            0,
            run_id,
            key,
            step_id,
            tuple(members),
            required,
            expires_at,
            ApprovalStatus.APPROVED,
            decided_at=self.now,
            context=dict(context or {}),
        )

    def expire(self, approval: ApprovalRecord) -> None:
        return None

    def playbook(self, org_id: str, playbook_id: str) -> PlaybookRecord | None:
        if self.store is None:
            return None
        with self.store.reading() as tx:
            return tx.playbooks.get(org_id, playbook_id)


def expiry(now: datetime, seconds: int) -> datetime:
    """When an approval asked for now lapses."""
    return now + timedelta(seconds=seconds)

"""The SQL audit repository: appends to the hash chain inside the caller's transaction.

Appends are serialised (SQLite: the IMMEDIATE write transaction; PostgreSQL: a table lock on
the head row), so sequence numbers have no gaps and every entry chains to its predecessor.
Because the entry is written in the same transaction as the change it records, a change
never commits without its audit entry, nor an entry without its change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from shieldwall.model.audit import AuditEntry, AuditRecord, Checkpoint, Outcome
from shieldwall.store.audit.chain import GENESIS, entry_hash
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.tables import audit_checkpoints, audit_entries, audit_head

HEAD_ID = "head"
PAGE = 5000


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        principal=row.principal,
        org_id=row.org_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        outcome=Outcome(row.outcome),
        detail=row.detail,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        seq=row.seq, hash=row.hash, signature=row.signature, key_id=row.key_id, at=row.at
    )


class SqlAudit:
    """The audit log, in one transaction."""

    def __init__(
        self,
        connection: Connection,
        signer: Signer,
        checkpoint_every: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = connection
        self._signer = signer
        self._every = checkpoint_every
        self._clock = clock
        self._head: tuple[int, str] | None = None
        """(seq, hash) of the chain's end as this transaction sees it, once locked."""
        self._stored_seq = 0
        self._pending: AuditEntry | None = None

    def _lock_head(self) -> tuple[int, str]:
        if self._head is not None:
            return self._head
        if self._db.dialect.name == "postgresql":
            self._db.exec_driver_sql("LOCK TABLE audit_head IN SHARE ROW EXCLUSIVE MODE")
        row = self._db.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).first()
        self._head = (row.seq, row.hash) if row else (0, GENESIS)
        self._stored_seq = self._head[0]
        return self._head

    def flush(self) -> None:
        """Sign and store the new head once per transaction, just before it commits."""
        entry = self._pending
        if entry is None:
            return
        self._sign_head(entry.seq, entry.hash, entry.at, fresh=self._stored_seq == 0)
        self._stored_seq = entry.seq
        self._pending = None

    def _sign_head(self, seq: int, chain_hash: str, at: datetime, fresh: bool) -> None:
        values = {
            "seq": seq,
            "hash": chain_hash,
            "signature": self._signer.sign(seq, chain_hash),
            "key_id": self._signer.key_id,
            "at": at,
        }
        if fresh:
            self._db.execute(audit_head.insert().values(id=HEAD_ID, **values))
        else:
            self._db.execute(audit_head.update().where(audit_head.c.id == HEAD_ID).values(**values))

    def append(self, record: AuditRecord) -> AuditEntry:
        last_seq, prev = self._lock_head()
        at = self._clock()
        chain_hash = entry_hash(
            prev,
            at,
            record.principal,
            record.org_id,
            record.action,
            record.object_type,
            record.object_id,
            record.outcome,
            record.detail,
        )
        entry = AuditEntry(
            seq=last_seq + 1,
            at=at,
            principal=record.principal,
            org_id=record.org_id,
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            outcome=record.outcome,
            detail=record.detail,
            prev_hash=prev,
            hash=chain_hash,
        )
        values = {name: getattr(entry, name) for name in entry.__dataclass_fields__}
        values["outcome"] = entry.outcome.value
        self._db.execute(audit_entries.insert().values(**values))
        self._head = (entry.seq, chain_hash)
        self._pending = entry
        if entry.seq % self._every == 0:
            self._db.execute(
                audit_checkpoints.insert().values(
                    seq=entry.seq,
                    hash=chain_hash,
                    signature=self._signer.sign(entry.seq, chain_hash),
                    key_id=self._signer.key_id,
                    at=at,
                )
            )
        return entry

    def entries(
        self, after_seq: int = 0, limit: int | None = None, org_id: str | None = None
    ) -> Iterator[AuditEntry]:
        """Entries after ``after_seq`` in order, all or those of one organisation."""
        remaining = limit
        while remaining is None or remaining > 0:
            page = PAGE if remaining is None else min(PAGE, remaining)
            query = select(audit_entries).where(audit_entries.c.seq > after_seq)
            if org_id is not None:
                query = query.where(audit_entries.c.org_id == org_id)
            rows = self._db.execute(query.order_by(audit_entries.c.seq).limit(page)).all()
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after_seq = rows[-1].seq
            if remaining is not None:
                remaining -= len(rows)

    def checkpoints(self) -> Sequence[Checkpoint]:
        rows = self._db.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq))
        return [_checkpoint(row) for row in rows]

    def head(self) -> Checkpoint | None:
        row = self._db.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).first()
        return _checkpoint(row) if row else None

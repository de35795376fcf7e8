"""The SQL audit repository: appends to the hash chain inside the caller's transaction.

Appends are serialised (SQLite: the IMMEDIATE write transaction; PostgreSQL: a table lock on
the head row), so sequence numbers have no gaps and every entry chains to its predecessor.
Because the entry is written in the same transaction as the change it records, a change
never commits without its audit entry, nor an entry without its change.

The chain starts at the genesis entry (``seq`` 0) the schema migration writes; a database
without a head row (created without the key at hand) continues from its last entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from shieldwall.model.audit import AuditEntry, AuditRecord, Checkpoint, MalformedRow, Outcome
from shieldwall.store.audit.chain import GENESIS, GENESIS_ACTION, chained, unsigned_marker
from shieldwall.store.audit.signing import Signer, Statement
from shieldwall.store.sql.audit_rows import scan_checkpoints, scan_entries, scan_head
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
        self._checkpoint = 0
        """The newest checkpoint's seq, which the next checkpoint and the head name."""
        self._head_stored = False
        self._pending: AuditEntry | None = None

    def _lock_head(self) -> tuple[int, str]:
        if self._head is not None:
            return self._head
        if self._db.dialect.name == "postgresql":
            self._db.exec_driver_sql("LOCK TABLE audit_head IN SHARE ROW EXCLUSIVE MODE")
        row = self._db.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).first()
        self._head_stored = row is not None
        if row is not None:
            self._head, self._checkpoint = (row.seq, row.hash), row.prev_checkpoint
            return self._head
        return self._continue_unsigned()

    def _continue_unsigned(self) -> tuple[int, str]:
        """No head row: go on from the last entry, recording the gap unless the log is new.

        A log that is only its genesis entry was created without the key at hand, and its
        first append signs it. Any other log without a head was tampered with: the service
        stays available, but first appends an entry saying so, which verification reports
        for good (re-signing the head must not erase the evidence).
        """
        last = self._db.execute(
            select(audit_entries.c.seq, audit_entries.c.hash, audit_entries.c.action)
            .order_by(audit_entries.c.seq.desc())
            .limit(1)
        ).first()
        self._checkpoint = self._db.execute(
            select(func.coalesce(func.max(audit_checkpoints.c.seq), 0))
        ).scalar_one()
        self._head = (last.seq, last.hash) if last else (-1, GENESIS)
        if last is None or last.seq != 0 or last.action != GENESIS_ACTION:
            end = f"entry {last.seq}" if last else "nothing (every entry was gone)"
            self._add(unsigned_marker(f"the signed head was missing; the chain goes on from {end}"))
        return self._head

    def flush(self) -> None:
        """Sign and store the new head once per transaction, just before it commits."""
        entry = self._pending
        if entry is None:
            return
        write_head(self._db, self._signer, entry, self._checkpoint, update=self._head_stored)
        self._head_stored = True
        self._pending = None

    def append(self, record: AuditRecord) -> AuditEntry:
        self._lock_head()
        return self._add(record)

    def _add(self, record: AuditRecord) -> AuditEntry:
        last_seq, prev = self._lock_head()
        entry = chained(record, last_seq + 1, prev, self._clock())
        insert_entry(self._db, entry)
        self._head = (entry.seq, entry.hash)
        self._pending = entry
        if entry.seq % self._every == 0:
            self._db.execute(
                audit_checkpoints.insert().values(
                    seq=entry.seq,
                    hash=entry.hash,
                    signature=self._signer.sign(
                        Statement.CHECKPOINT, entry.seq, entry.hash, self._checkpoint, entry.at
                    ),
                    key_id=self._signer.key_id,
                    at=entry.at,
                    prev_checkpoint=self._checkpoint,
                )
            )
            self._checkpoint = entry.seq
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

    def scan(self) -> Iterator[AuditEntry | MalformedRow]:
        """Every entry from the genesis on, unreadable rows named (for verification)."""
        return scan_entries(self._db)

    def checkpoints(self) -> Sequence[Checkpoint | MalformedRow]:
        return scan_checkpoints(self._db)

    def head(self) -> Checkpoint | MalformedRow | None:
        return scan_head(self._db)


def insert_entry(connection: Connection, entry: AuditEntry) -> None:
    """Store one entry of the chain as it is."""
    values = {name: getattr(entry, name) for name in entry.__dataclass_fields__}
    values["outcome"] = entry.outcome.value
    connection.execute(audit_entries.insert().values(**values))


def write_head(
    connection: Connection, signer: Signer, entry: AuditEntry, checkpoint: int, *, update: bool
) -> None:
    """Sign ``entry`` as the chain's head, naming the newest checkpoint, and store it."""
    values = {
        "seq": entry.seq,
        "hash": entry.hash,
        "signature": signer.sign(Statement.HEAD, entry.seq, entry.hash, checkpoint, entry.at),
        "key_id": signer.key_id,
        "at": entry.at,
        "prev_checkpoint": checkpoint,
    }
    if update:
        connection.execute(audit_head.update().where(audit_head.c.id == HEAD_ID).values(**values))
    else:
        connection.execute(audit_head.insert().values(id=HEAD_ID, **values))

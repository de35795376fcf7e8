"""Helpers to fill a real store's audit log, tamper with its rows, and verify it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, select, update

from shieldwall.model.audit import AuditRecord, ChainProblem, Checkpoint
from shieldwall.store.audit.chain import verify_chain
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import audit_entries, audit_head
from tests.unit.store.conftest import SIGNER

ENTRIES = 10
"""Entries 1..10 after the genesis (entry 0); the store checkpoints every 4: 4 and 8."""
CONTENT = (
    "at",
    "principal",
    "org_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "detail",
    "prev_hash",
    "hash",
)


def fill(store: SqlStore, count: int = ENTRIES, start: int = 0) -> None:
    """Append ``count`` entries, one transaction each (each commit signs the head)."""
    for number in range(start, start + count):
        with store.transaction() as tx:
            tx.audit.append(
                AuditRecord(f"p{number}", "cert-fr", "org.create", "organisation", f"o{number}")
            )


def verify(
    store: SqlStore, signer: Signer = SIGNER, against: Checkpoint | None = None
) -> ChainProblem | None:
    """Verify as ``shieldwall audit verify`` does: one read-only snapshot."""
    with store.reading() as tx:
        entries = list(tx.audit.scan())
        return verify_chain(
            entries, tx.audit.checkpoints(), tx.audit.head(), signer.verifier, against
        )


def head_of(store: SqlStore) -> Checkpoint:
    with store.reading() as tx:
        head = tx.audit.head()
    assert isinstance(head, Checkpoint)
    return head


def tamper(store: SqlStore, change: Callable[[Connection], object]) -> None:
    """Change rows directly, as someone with write access to the database would."""
    with store.engine.begin() as connection:
        change(connection)


def put_head(db: Connection, head: Checkpoint) -> None:
    """Overwrite the head row with ``head``'s columns."""
    db.execute(
        update(audit_head).values(
            seq=head.seq,
            hash=head.hash,
            signature=head.signature,
            key_id=head.key_id,
            at=head.at,
            prev_checkpoint=head.prev_checkpoint,
        )
    )


def swap(db: Connection, first: int, second: int) -> None:
    """Exchange the contents of two entries, keeping their sequence numbers."""
    rows = {
        row.seq: {name: getattr(row, name) for name in CONTENT}
        for row in db.execute(select(audit_entries).where(audit_entries.c.seq.in_([first, second])))
    }
    db.execute(update(audit_entries).where(audit_entries.c.seq == first).values(**rows[second]))
    db.execute(update(audit_entries).where(audit_entries.c.seq == second).values(**rows[first]))

"""The audit log on both databases: the chain the service appends, and how it reads back."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import select

from shieldwall.model.audit import AuditEntry, AuditRecord, Checkpoint
from shieldwall.store.audit.chain import GENESIS, GENESIS_ACTION
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import audit_head
from tests.unit.store.audit_world import ENTRIES, fill, verify


def test_appends_form_an_intact_chain_from_the_genesis(store: SqlStore) -> None:
    fill(store)
    with store.reading() as tx:
        entries = [entry for entry in tx.audit.scan() if isinstance(entry, AuditEntry)]
        checkpoints = tx.audit.checkpoints()
        head = tx.audit.head()
    assert [entry.seq for entry in entries] == list(range(ENTRIES + 1))
    assert (entries[0].action, entries[0].prev_hash) == (GENESIS_ACTION, GENESIS)
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert [(c.seq, c.prev_checkpoint) for c in checkpoints if isinstance(c, Checkpoint)] == [
        (4, 0),
        (8, 4),
    ]
    assert isinstance(head, Checkpoint)
    assert (head.seq, head.hash, head.prev_checkpoint) == (ENTRIES, entries[-1].hash, 8)
    assert verify(store) is None


def test_a_new_log_verifies_and_so_does_every_length_after_it(store: SqlStore) -> None:
    assert verify(store) is None
    for _ in range(9):
        fill(store, 1)
        assert verify(store) is None


def test_verification_with_another_key_fails(store: SqlStore) -> None:
    fill(store, 4)
    problem = verify(store, Signer.generate())
    assert problem is not None
    assert problem.kind == "signature"


def test_a_genesis_left_unsigned_is_signed_by_the_first_append(store: SqlStore) -> None:
    """A database migrated without the key: its first append signs, and nothing is flagged."""
    with store.engine.begin() as connection:
        connection.execute(audit_head.delete())
    fill(store, 2)
    assert verify(store) is None


def test_entries_of_one_organisation_in_order_and_limited(store: SqlStore) -> None:
    """Reads start after the genesis (``after`` 0), as before the genesis existed."""
    for number in range(9):
        org = "alpha" if number % 3 == 0 else "bravo"
        with store.transaction() as tx:
            tx.audit.append(AuditRecord(f"p{number}", org, "x.read", "thing", str(number)))
    with store.transaction() as tx:
        everything = [entry.seq for entry in tx.audit.entries()]
        alpha = [entry.seq for entry in tx.audit.entries(org_id="alpha")]
        limited = [entry.seq for entry in tx.audit.entries(1, limit=1, org_id="alpha")]
    assert everything == list(range(1, 10))
    assert alpha == [1, 4, 7]
    assert limited == [4]


def test_appends_keep_one_head_row(store: SqlStore) -> None:
    fill(store, 3)
    with store.engine.connect() as connection:
        assert len(connection.execute(select(audit_head)).all()) == 1

"""The audit log on both databases: appends read back exactly, and form one gapless chain.

Tampering is the unit tests' subject (``tests/unit/store/test_audit_log.py``); here it is
what every backend must do for honest writers: keep each entry as appended, number them
without gaps even when transactions roll back or run at the same time, and move the signed
head with every commit.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest

from shieldwall.model.audit import AuditEntry, AuditRecord, Outcome
from shieldwall.store.audit.chain import verify_chain
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.conftest import CHECKPOINT_EVERY, SIGNER
from tests.contract.store.values import audit, version

RECORDS = [
    AuditRecord("p-1", "cert-fr", "intel.publish", "indicator", "indicator--1"),
    AuditRecord("p-2", "cert-de", "login", "person", "p-2", Outcome.DENIED, "bad password"),
    AuditRecord("sensor-7", "grid-fr", "feed.pull", "feed", "partner", Outcome.FAILED, "é ✓ ئ 🛡"),
    AuditRecord("p-1", "cert-fr", "export", "report", "r" * 200, detail="line\nbreak 'q' \\ %_"),
    AuditRecord("p-3", "centre", "token.revoke", "token", "t1", detail="x" * 20_000),
]
WRITERS = 4
APPENDS_EACH = 5


class RollbackError(Exception):
    """Raised inside a transaction to roll it back."""


def _entries(store: SqlStore) -> list[AuditEntry]:
    with store.transaction() as tx:
        return list(tx.audit.entries())


def _verifies(store: SqlStore) -> bool:
    """The whole log verifies, from the genesis entry the migration wrote."""
    with store.reading() as tx:
        entries = list(tx.audit.scan())
        problem = verify_chain(entries, tx.audit.checkpoints(), tx.audit.head(), SIGNER.verifier)
    return problem is None


def test_appended_entries_read_back_exactly_in_order(store: SqlStore) -> None:
    appended = []
    for record in RECORDS:
        with store.transaction() as tx:
            appended.append(tx.audit.append(record))

    read = _entries(store)

    assert read == appended
    assert [entry.seq for entry in read] == list(range(1, len(RECORDS) + 1))
    assert [(e.principal, e.org_id, e.action, e.object_type, e.object_id) for e in read] == [
        (r.principal, r.org_id, r.action, r.object_type, r.object_id) for r in RECORDS
    ]
    assert [(e.outcome, e.detail) for e in read] == [(r.outcome, r.detail) for r in RECORDS]
    assert all(b.prev_hash == a.hash and b.at >= a.at for a, b in pairwise(read))
    with store.transaction() as tx:
        head = tx.audit.head()
        checkpoints = tx.audit.checkpoints()
    assert head is not None and (head.seq, head.hash) == (read[-1].seq, read[-1].hash)
    assert [c.seq for c in checkpoints] == list(range(CHECKPOINT_EVERY, len(RECORDS) + 1, 3))
    assert _verifies(store)


def test_many_appends_in_one_transaction_chain_and_sign_one_head(store: SqlStore) -> None:
    with store.transaction() as tx:
        for number in range(7):
            tx.audit.append(audit(number))
    read = _entries(store)
    assert [entry.seq for entry in read] == list(range(1, 8))
    assert _verifies(store)


def test_a_rolled_back_append_leaves_no_entry_no_gap_and_the_head_as_it_was(
    store: SqlStore,
) -> None:
    with store.transaction() as tx:
        tx.audit.append(audit(1))
    with store.transaction() as tx:
        head = tx.audit.head()

    with pytest.raises(RollbackError), store.transaction() as tx:
        tx.audit.append(audit(2))
        tx.audit.append(audit(3))
        raise RollbackError

    with store.transaction() as tx:
        assert tx.audit.head() == head
        tx.audit.append(audit(4))
    assert [(e.seq, e.object_id) for e in _entries(store)] == [(1, "o-1"), (2, "o-4")]
    assert _verifies(store)


def test_writers_at_the_same_time_form_one_gapless_chain(store: SqlStore) -> None:
    def write(writer: int) -> None:
        for number in range(APPENDS_EACH):
            with store.transaction() as tx:
                tx.audit.append(audit(writer * 100 + number, org_id=f"org-{writer}"))

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))

    read = _entries(store)
    assert [entry.seq for entry in read] == list(range(1, WRITERS * APPENDS_EACH + 1))
    assert sorted(entry.object_id for entry in read) == sorted(
        f"o-{w * 100 + n}" for w in range(WRITERS) for n in range(APPENDS_EACH)
    )
    assert _verifies(store)


def test_intel_writers_at_the_same_time_get_distinct_sequences_in_time_order(
    store: SqlStore,
) -> None:
    """Readers page by sequence: a later commit never takes a smaller number or instant."""
    with store.transaction() as tx:
        (first,) = tx.intel.add_versions([version("malware--00000000-0000-4000-8000-0000000000ff")])

    def write(writer: int) -> None:
        for number in range(3):
            with store.transaction() as tx:
                tx.intel.add_versions([version(_stix_id(writer, number))])

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))

    ids = [_stix_id(w, n) for w in range(WRITERS) for n in range(3)]
    with store.transaction() as tx:
        rows = [row for rows in tx.intel.versions_of(ids).values() for row in rows]
    rows.sort(key=lambda row: row.seq)
    assert [row.seq for row in rows] == list(range(first.seq + 1, first.seq + WRITERS * 3 + 1))
    assert all(a.date_added < b.date_added for a, b in pairwise([first, *rows]))


def _stix_id(writer: int, number: int) -> str:
    return f"indicator--00000000-0000-4000-8000-0000000{writer:02d}{number:03d}"

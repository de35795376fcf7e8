"""The audit log on both databases: appends chain, and every kind of tampering is named."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from sqlalchemy import Connection, select, update

from shieldwall.model.audit import AuditRecord, ChainProblem
from shieldwall.store.audit.chain import entry_hash, verify_chain
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import audit_entries, audit_head
from tests.unit.store.conftest import SIGNER

ENTRIES = 10
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


def _fill(store: SqlStore, count: int = ENTRIES) -> None:
    for number in range(count):
        with store.transaction() as tx:
            tx.audit.append(
                AuditRecord(f"p{number}", "cert-fr", "org.create", "organisation", f"o{number}")
            )


def _verify(store: SqlStore, signer: Signer = SIGNER) -> ChainProblem | None:
    with store.transaction() as tx:
        entries = list(tx.audit.entries())
        return verify_chain(entries, tx.audit.checkpoints(), tx.audit.head(), signer.verifier)


def _tamper(store: SqlStore, change: Callable[[Connection], object]) -> None:
    with store.engine.begin() as connection:
        change(connection)


def test_appends_form_an_intact_chain_with_checkpoints(store: SqlStore) -> None:
    _fill(store)
    with store.transaction() as tx:
        entries = list(tx.audit.entries())
        checkpoints = tx.audit.checkpoints()
        head = tx.audit.head()
    assert [entry.seq for entry in entries] == list(range(1, ENTRIES + 1))
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert [checkpoint.seq for checkpoint in checkpoints] == [4, 8]
    assert head is not None
    assert head.seq == ENTRIES
    assert _verify(store) is None


def test_a_flipped_byte_is_named(store: SqlStore) -> None:
    _fill(store)
    _tamper(
        store,
        lambda db: db.execute(
            update(audit_entries).where(audit_entries.c.seq == 5).values(object_id="o5x")
        ),
    )
    problem = _verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (5, "changed")


def test_a_deleted_row_is_named(store: SqlStore) -> None:
    _fill(store)
    _tamper(store, lambda db: db.execute(audit_entries.delete().where(audit_entries.c.seq == 6)))
    problem = _verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (6, "deleted")


def _swap(db: Connection, first: int, second: int) -> None:
    rows = {
        row.seq: {name: getattr(row, name) for name in CONTENT}
        for row in db.execute(select(audit_entries).where(audit_entries.c.seq.in_([first, second])))
    }
    db.execute(update(audit_entries).where(audit_entries.c.seq == first).values(**rows[second]))
    db.execute(update(audit_entries).where(audit_entries.c.seq == second).values(**rows[first]))


def test_two_swapped_rows_are_named(store: SqlStore) -> None:
    _fill(store)
    _tamper(store, lambda db: _swap(db, 3, 7))
    problem = _verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, "reordered")


def test_a_truncated_tail_is_named(store: SqlStore) -> None:
    _fill(store)
    _tamper(store, lambda db: db.execute(audit_entries.delete().where(audit_entries.c.seq > 7)))
    problem = _verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (8, "truncated")


def test_a_rehashed_change_is_still_named(store: SqlStore) -> None:
    _fill(store)

    def rewrite(db: Connection) -> None:
        row = db.execute(select(audit_entries).where(audit_entries.c.seq == 4)).one()
        forged = entry_hash(
            row.prev_hash,
            row.at,
            "intruder",
            row.org_id,
            row.action,
            row.object_type,
            row.object_id,
            row.outcome,
            row.detail,
        )
        db.execute(
            update(audit_entries)
            .where(audit_entries.c.seq == 4)
            .values(principal="intruder", hash=forged)
        )

    _tamper(store, rewrite)
    problem = _verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (4, "changed")


def test_an_appended_forgery_is_named(store: SqlStore) -> None:
    _fill(store)

    def forge(db: Connection) -> None:
        last = db.execute(select(audit_entries).where(audit_entries.c.seq == ENTRIES)).one()
        values = {name: getattr(last, name) for name in CONTENT}
        values["prev_hash"] = last.hash
        values["hash"] = entry_hash(
            last.hash,
            last.at,
            last.principal,
            last.org_id,
            last.action,
            last.object_type,
            last.object_id,
            last.outcome,
            last.detail,
        )
        db.execute(audit_entries.insert().values(seq=ENTRIES + 1, **values))

    _tamper(store, forge)
    problem = _verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (ENTRIES + 1, "inserted")


def test_a_forged_head_signature_is_named(store: SqlStore) -> None:
    _fill(store)
    forger = Signer.generate()
    _tamper(
        store,
        lambda db: db.execute(update(audit_head).values(seq=7, signature=forger.sign(7, "0" * 64))),
    )
    problem = _verify(store)
    assert problem is not None
    assert problem.kind == "signature"


def test_verification_with_another_key_fails(store: SqlStore) -> None:
    _fill(store, 4)
    problem = _verify(store, Signer.generate())
    assert problem is not None
    assert problem.kind == "signature"


@pytest.mark.parametrize("count", [0, 1])
def test_short_logs_verify(store: SqlStore, count: int) -> None:
    _fill(store, count)
    assert _verify(store) is None


def test_entries_of_one_organisation_in_order_and_limited(store: SqlStore) -> None:
    for number in range(9):
        org = "alpha" if number % 3 == 0 else "bravo"
        with store.transaction() as tx:
            tx.audit.append(AuditRecord(f"p{number}", org, "x.read", "thing", str(number)))
    with store.transaction() as tx:
        alpha = [entry.seq for entry in tx.audit.entries(org_id="alpha")]
        limited = [entry.seq for entry in tx.audit.entries(1, limit=1, org_id="alpha")]
    assert alpha == [1, 4, 7]
    assert limited == [4]

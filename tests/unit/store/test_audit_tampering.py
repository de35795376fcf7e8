"""Every class of tampering with the audit log, done to the rows of a real store, is named.

Each test fills a store on SQLite and on PostgreSQL, changes its rows directly (as someone
with write access to the database would), and checks that verification names the place
and the kind. Issue 9, item 7: the four cuts that used to verify as "intact" come first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, select, update

from shieldwall.model.audit import Checkpoint
from shieldwall.store.audit.chain import entry_hash
from shieldwall.store.audit.signing import Signer, Statement
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import audit_checkpoints, audit_entries, audit_head
from tests.unit.store.audit_world import (
    CONTENT,
    ENTRIES,
    fill,
    head_of,
    put_head,
    swap,
    tamper,
    verify,
)


def _checkpoint(store: SqlStore, seq: int) -> Checkpoint:
    with store.reading() as tx:
        found = [c for c in tx.audit.checkpoints() if isinstance(c, Checkpoint) and c.seq == seq]
    return found[0]


def _kind(store: SqlStore, against: Checkpoint | None = None) -> tuple[int, str]:
    problem = verify(store, against=against)
    assert problem is not None, "the tampering went unnoticed"
    return problem.seq, problem.kind


# --- the four cuts of issue 9 ------------------------------------------------------------


def test_everything_deleted_is_not_an_empty_intact_log(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: [
            db.execute(table.delete()) for table in (audit_head, audit_checkpoints, audit_entries)
        ],
    )
    assert _kind(store) == (0, "deleted")


def test_everything_deleted_stays_visible_after_the_service_writes_again(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: [
            db.execute(table.delete()) for table in (audit_head, audit_checkpoints, audit_entries)
        ],
    )
    fill(store, 3)
    assert _kind(store) == (0, "deleted")


def test_a_checkpoint_copied_into_the_head_after_a_cut(store: SqlStore) -> None:
    fill(store)
    checkpoint = _checkpoint(store, 8)

    def cut(db: Connection) -> None:
        db.execute(audit_entries.delete().where(audit_entries.c.seq > 8))
        put_head(db, checkpoint)

    tamper(store, cut)
    assert _kind(store) == (8, "signature")


def test_an_older_head_replayed_after_a_cut_is_caught_against_an_exported_head(
    store: SqlStore,
) -> None:
    fill(store, 6)
    older = head_of(store)
    fill(store, 4, start=6)
    exported = head_of(store)

    def cut(db: Connection) -> None:
        db.execute(audit_entries.delete().where(audit_entries.c.seq > older.seq))
        db.execute(audit_checkpoints.delete().where(audit_checkpoints.c.seq > older.seq))
        put_head(db, older)

    tamper(store, cut)
    assert verify(store) is None, "inside the database alone the shorter log is consistent"
    assert _kind(store, against=exported) == (7, "truncated")


def test_an_older_head_replayed_and_written_past_is_caught_against_an_exported_head(
    store: SqlStore,
) -> None:
    """The cut is covered by new entries, beyond the exported head: the hash differs."""
    fill(store, 6)
    older = head_of(store)
    fill(store, 4, start=6)
    exported = head_of(store)
    tamper(
        store,
        lambda db: [
            db.execute(audit_entries.delete().where(audit_entries.c.seq > older.seq)),
            db.execute(audit_checkpoints.delete().where(audit_checkpoints.c.seq > older.seq)),
            put_head(db, older),
        ],
    )
    fill(store, 6, start=100)
    assert verify(store) is None
    assert _kind(store, against=exported) == (exported.seq, "changed")


def test_an_exported_head_still_in_the_log_verifies(store: SqlStore) -> None:
    fill(store, 5)
    exported = head_of(store)
    fill(store, 7, start=5)
    assert verify(store, against=exported) is None


def test_one_checkpoint_deleted_on_its_own(store: SqlStore) -> None:
    fill(store)
    tamper(
        store, lambda db: db.execute(audit_checkpoints.delete().where(audit_checkpoints.c.seq == 4))
    )
    assert _kind(store) == (4, "missing")


def test_every_checkpoint_deleted(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(audit_checkpoints.delete()))
    assert _kind(store) == (8, "missing")


# --- entries -------------------------------------------------------------------------------


def test_a_middle_entry_deleted(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(audit_entries.delete().where(audit_entries.c.seq == 6)))
    assert _kind(store) == (6, "deleted")


def test_an_entry_edited(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: db.execute(
            update(audit_entries).where(audit_entries.c.seq == 5).values(object_id="o5x")
        ),
    )
    assert _kind(store) == (5, "changed")


def test_entries_reordered(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: swap(db, 3, 7))
    assert _kind(store) == (3, "reordered")


def test_the_genesis_deleted(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(audit_entries.delete().where(audit_entries.c.seq == 0)))
    assert _kind(store) == (0, "deleted")


def test_the_genesis_edited(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: db.execute(
            update(audit_entries).where(audit_entries.c.seq == 0).values(object_id="another-log")
        ),
    )
    assert _kind(store) == (0, "changed")


def test_a_truncated_tail(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(audit_entries.delete().where(audit_entries.c.seq > 7)))
    assert _kind(store) == (8, "truncated")


def test_a_rehashed_change(store: SqlStore) -> None:
    fill(store)

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

    tamper(store, rewrite)
    assert _kind(store) == (4, "changed")


def test_an_appended_forgery(store: SqlStore) -> None:
    fill(store)

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

    tamper(store, forge)
    assert _kind(store) == (ENTRIES + 1, "inserted")


# --- the head ------------------------------------------------------------------------------


def test_the_head_deleted(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(audit_head.delete()))
    assert _kind(store) == (ENTRIES, "missing")


def test_the_head_deleted_stays_visible_after_the_service_writes_again(store: SqlStore) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(audit_head.delete()))
    fill(store, 2, start=50)
    assert _kind(store) == (ENTRIES + 1, "recorded")


def test_a_head_signed_by_another_key(store: SqlStore) -> None:
    fill(store)
    forger = Signer.generate()
    head = head_of(store)
    forged = forger.sign(Statement.HEAD, 7, head.hash, 4, head.at)
    tamper(store, lambda db: db.execute(update(audit_head).values(seq=7, signature=forged)))
    assert _kind(store)[1] == "signature"


@pytest.mark.parametrize(
    ("column", "value"),
    [("key_id", "0123456789abcdef"), ("prev_checkpoint", 4)],
)
def test_a_head_column_edited(store: SqlStore, column: str, value: object) -> None:
    fill(store)
    tamper(store, lambda db: db.execute(update(audit_head).values({column: value})))
    assert _kind(store) == (ENTRIES, "signature")


def test_a_checkpoint_edited(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: db.execute(
            update(audit_checkpoints).where(audit_checkpoints.c.seq == 4).values(prev_checkpoint=8)
        ),
    )
    assert _kind(store) == (4, "signature")


# --- malformed rows ------------------------------------------------------------------------


def test_an_entry_with_a_value_outside_its_type_is_named(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: db.execute(
            update(audit_entries).where(audit_entries.c.seq == 5).values(outcome="bogus")
        ),
    )
    problem = verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (5, "malformed")
    assert problem.message.startswith("entry 5: column outcome")


def test_a_checkpoint_with_a_bad_signature_column_is_named(store: SqlStore) -> None:
    fill(store)
    tamper(
        store,
        lambda db: db.execute(
            update(audit_checkpoints).where(audit_checkpoints.c.seq == 8).values(signature="zz")
        ),
    )
    problem = verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind, problem.message[:30]) == (
        8,
        "malformed",
        "checkpoint 8: column signature",
    )


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE audit_entries SET seq = 'five' WHERE seq = 5", "entry 'five': column seq"),
        ("UPDATE audit_entries SET at = 'yesterday' WHERE seq = 3", "entry 3: column at"),
        ("UPDATE audit_entries SET detail = x'00ff' WHERE seq = 2", "entry 2: column detail"),
        ("UPDATE audit_head SET seq = 'ten'", "head: column seq"),
        ("UPDATE audit_checkpoints SET at = 12 WHERE seq = 4", "checkpoint 4: column at"),
    ],
)
def test_values_only_sqlite_can_hold_are_named(tmp_path: Path, sql: str, named: str) -> None:
    """SQLite keeps any value in any column: each is named, never a crash."""
    from shieldwall.store import migrate
    from shieldwall.store.sql.engine import create_sql_engine
    from tests.unit.store.conftest import SIGNER

    engine = create_sql_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    migrate.upgrade(engine, signer=SIGNER)
    sqlite_store = SqlStore(engine, SIGNER, checkpoint_every=4)
    fill(sqlite_store)
    tamper(sqlite_store, lambda db: db.exec_driver_sql(sql))
    problem = verify(sqlite_store)
    sqlite_store.close()
    assert problem is not None
    assert problem.kind == "malformed"
    assert problem.message.startswith(named)


def test_verification_reads_one_snapshot(store: SqlStore) -> None:
    """Rows deleted by hand between two reads must not mix two states (sanity of reading)."""
    fill(store)
    with store.reading() as tx:
        before = list(tx.audit.scan())
        tamper(store, lambda db: db.execute(delete(audit_entries).where(audit_entries.c.seq == 9)))
        after = list(tx.audit.scan())
    assert len(before) == len(after) == ENTRIES + 1

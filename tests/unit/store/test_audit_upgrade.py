"""Schema revision 0005 on logs written before it (no genesis, signatures without labels).

A log that verifies under the old rules is re-signed and verifies under the new ones; one
that does not keeps a record of it in the chain that verification reports for good; one
upgraded without the key reports its old signatures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from shieldwall.model.audit import AuditEntry, AuditRecord
from shieldwall.store import migrate
from shieldwall.store.audit.chain import GENESIS, chained
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import metadata
from tests.unit.store.audit_world import fill, verify
from tests.unit.store.conftest import SIGNER

START = datetime(2025, 6, 1, tzinfo=UTC)
OLD = 10
"""Entries 1..10 written by the older version, checkpoints every 4."""


def _legacy_signature(signer: Signer, seq: int, chain_hash: str) -> str:
    return signer.private_key.sign(f"shieldwall-audit-v1|{seq}|{chain_hash}".encode()).hex()


def _write_legacy_log(engine: Engine, count: int = OLD) -> list[AuditEntry]:
    """What a database at revision 0004 held after ``count`` audited writes."""
    entries: list[AuditEntry] = []
    previous = GENESIS
    for seq in range(1, count + 1):
        record = AuditRecord(f"p{seq}", "cert-fr", "org.create", "organisation", f"o{seq}")
        entries.append(chained(record, seq, previous, START + timedelta(seconds=seq)))
        previous = entries[-1].hash
    with engine.begin() as db:
        for entry in entries:
            values = {name: getattr(entry, name) for name in entry.__dataclass_fields__}
            values["outcome"] = entry.outcome.value
            values["at"] = entry.at.replace(tzinfo=None) if _sqlite(db) else entry.at
            db.execute(
                text(
                    "INSERT INTO audit_entries (seq, at, principal, org_id, action, object_type,"
                    " object_id, outcome, detail, prev_hash, hash) VALUES (:seq, :at,"
                    " :principal, :org_id, :action, :object_type, :object_id, :outcome, :detail,"
                    " :prev_hash, :hash)"
                ),
                values,
            )
            statement = {
                "seq": entry.seq,
                "hash": entry.hash,
                "signature": _legacy_signature(SIGNER, entry.seq, entry.hash),
                "key_id": SIGNER.key_id,
                "at": values["at"],
            }
            if entry.seq % 4 == 0:
                db.execute(
                    text(
                        "INSERT INTO audit_checkpoints (seq, hash, signature, key_id, at)"
                        " VALUES (:seq, :hash, :signature, :key_id, :at)"
                    ),
                    statement,
                )
        db.execute(
            text(
                "INSERT INTO audit_head (id, seq, hash, signature, key_id, at)"
                " VALUES ('head', :seq, :hash, :signature, :key_id, :at)"
            ),
            statement,
        )
    return entries


def _sqlite(db: object) -> bool:
    return getattr(getattr(db, "dialect", None), "name", "") == "sqlite"


@pytest.fixture
def old_engine(database_url: str) -> Iterator[Engine]:
    """A database at revision 0004 with an empty log, on either database."""
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0004")
    with engine.begin() as db:
        for table in ("audit_head", "audit_checkpoints", "audit_entries"):
            db.exec_driver_sql(f"DELETE FROM {table}")
    yield engine
    migrate.upgrade(engine)
    with engine.begin() as db:
        for table in reversed(metadata.sorted_tables):
            db.execute(table.delete())
    engine.dispose()


def _store(engine: Engine) -> SqlStore:
    return SqlStore(engine, SIGNER, checkpoint_every=4)


def test_an_intact_old_log_is_re_signed_and_verifies(old_engine: Engine) -> None:
    _write_legacy_log(old_engine)
    migrate.upgrade(old_engine, signer=SIGNER)
    store = _store(old_engine)
    assert verify(store) is None
    with store.reading() as tx:
        last = list(tx.audit.scan())[-1]
    assert isinstance(last, AuditEntry)
    assert (last.seq, last.action, last.outcome.value) == (OLD + 1, "audit.resign", "success")
    fill(store, 6)
    assert verify(store) is None


def test_an_old_log_cut_before_the_upgrade_stays_reported(old_engine: Engine) -> None:
    _write_legacy_log(old_engine)
    with old_engine.begin() as db:
        db.exec_driver_sql("DELETE FROM audit_entries WHERE seq = 6")
    migrate.upgrade(old_engine, signer=SIGNER)
    store = _store(old_engine)
    fill(store, 3)
    problem = verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (6, "deleted")


def test_an_old_log_without_its_head_is_recorded_and_never_laundered(old_engine: Engine) -> None:
    """The links alone hold (a cut tail, the head gone): the upgrade's record reports it."""
    _write_legacy_log(old_engine)
    with old_engine.begin() as db:
        db.exec_driver_sql("DELETE FROM audit_entries WHERE seq > 8")
        db.exec_driver_sql("DELETE FROM audit_head")
    migrate.upgrade(old_engine, signer=SIGNER)
    store = _store(old_engine)
    fill(store, 3)
    problem = verify(store)
    assert problem is not None
    assert (problem.seq, problem.kind) == (9, "recorded")
    assert "the signed head is missing" in problem.message


def test_an_old_log_upgraded_without_the_key_reports_its_old_signatures(
    old_engine: Engine,
) -> None:
    _write_legacy_log(old_engine)
    migrate.upgrade(old_engine)
    problem = verify(_store(old_engine))
    assert problem is not None
    assert (problem.seq, problem.kind) == (OLD, "signature")


def test_an_empty_old_log_gets_its_genesis(old_engine: Engine) -> None:
    migrate.upgrade(old_engine, signer=SIGNER)
    store = _store(old_engine)
    assert verify(store) is None
    with store.reading() as tx:
        (genesis,) = list(tx.audit.scan())
    assert isinstance(genesis, AuditEntry)
    assert (genesis.seq, genesis.action) == (0, "audit.genesis")

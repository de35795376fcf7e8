"""Audit entries appended per second, on SQLite (embedded default) and PostgreSQL.

Two figures per database: one entry per transaction (each audited API write commits its own
entry, fsync included) and 100 entries per transaction (a batch import audited per object).
Verification speed of the whole chain is printed too.

    python bench/audit.py [--entries N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from shieldwall.model.audit import AuditRecord
from shieldwall.store import migrate
from shieldwall.store.audit.chain import verify_chain
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.audit_genesis import write_genesis
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

RECORD = AuditRecord("person-1", "cert-fr", "intel.read", "indicator", "indicator--1")


def _fresh(engine: Engine) -> SqlStore:
    signer = Signer.generate()
    migrate.upgrade(engine, signer=signer)
    with engine.begin() as db:
        for table in ("audit_head", "audit_checkpoints", "audit_entries"):
            db.exec_driver_sql(f"DELETE FROM {table}")
        write_genesis(db, signer, datetime.now(UTC))
    return SqlStore(engine, signer, checkpoint_every=1000)


def _run(name: str, engine: Engine, entries: int) -> None:
    store = _fresh(engine)
    started = time.perf_counter()
    for _ in range(entries):
        with store.transaction() as tx:
            tx.audit.append(RECORD)
    single = entries / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(entries // 100):
        with store.transaction() as tx:
            for _ in range(100):
                tx.audit.append(RECORD)
    batched = (entries // 100) * 100 / (time.perf_counter() - started)
    started = time.perf_counter()
    with store.reading() as tx:
        chain = list(tx.audit.scan())
        problem = verify_chain(
            chain, tx.audit.checkpoints(), tx.audit.head(), store._signer.verifier
        )
    verified = len(chain) / (time.perf_counter() - started)
    assert problem is None, problem
    print(
        f"{name:10s} append 1/tx: {single:8.0f} entries/s   append 100/tx: {batched:8.0f} "
        f"entries/s   verify: {verified:8.0f} entries/s ({len(chain)} entries)"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _run("sqlite", create_sql_engine(f"sqlite:///{Path(folder) / 'bench.db'}"), args.entries)
    _run("postgresql", create_sql_engine(args.postgres), args.entries)


if __name__ == "__main__":
    main()

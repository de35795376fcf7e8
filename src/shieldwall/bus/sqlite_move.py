"""Moving the embedded bus out of the store's SQLite file into ``bus.db``, losing nothing.

The embedded bus used to keep its tables in the store's ``shieldwall.db``; there every
publish, fetch and acknowledgement queued for SQLite's one writer behind the store's
writes, and these behind them. It now has a file of its own. A data directory from before
has its bus moved on the first start: messages (their idempotency keys with them),
consumers with their cursors and the deliveries in flight, all of them.

Every process opening the bus calls :func:`move_bus` first, and the move runs under the
store file's write lock, so exactly one process moves and the others find it done. SQLite
commits a transaction over two WAL files atomically per file only, so the move is two
transactions, each atomic: the copy into ``bus.db`` (checked equal, row for row, before
it commits), then the old tables dropped. A crash between them leaves both; the next
start finds ``bus.db`` already equal to the old tables and only drops these. A ``bus.db``
that holds anything else (a bus used meanwhile, say by an old version still running
beside a new one) is never overwritten: the start is refused, naming both files.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from shieldwall.bus.sqlite_log import BUSY_TIMEOUT_SECONDS, SCHEMA, verify_pragmas
from shieldwall.model.errors import BusError

TABLES = {
    "bus_message": "subject, seq, key, payload, published_at",
    "bus_consumer": "subject, name, delivered_seq, ack_wait, max_deliver",
    "bus_pending": "subject, consumer, seq, deliveries, deadline",
}


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)


def _has_tables(db: sqlite3.Connection, schema: str = "main") -> bool:
    found = db.execute(
        f"SELECT COUNT(*) FROM {schema}.sqlite_master WHERE type = 'table' "  # noqa: S608
        "AND name IN ('bus_message', 'bus_consumer', 'bus_pending')"
    ).fetchone()[0]
    return int(found) == len(TABLES)


def _empty(db: sqlite3.Connection, schema: str) -> bool:
    return all(
        db.execute(f"SELECT 1 FROM {schema}.{table} LIMIT 1").fetchone() is None  # noqa: S608
        for table in TABLES
    )


def _same(db: sqlite3.Connection) -> bool:
    """True when ``main`` and ``old`` hold exactly the same rows in every bus table."""
    for table, columns in TABLES.items():
        for one, other in (("main", "old"), ("old", "main")):
            differs = db.execute(
                f"SELECT 1 FROM (SELECT {columns} FROM {one}.{table} "  # noqa: S608
                f"EXCEPT SELECT {columns} FROM {other}.{table}) LIMIT 1"
            ).fetchone()
            if differs is not None:
                return False
    return True


def _copy_into(target: Path, source: Path) -> None:
    """Copy the bus tables of ``source`` into ``target`` (if it holds no bus rows) and
    commit only once they are equal; refuse a ``target`` with other rows."""
    db = _connect(target)
    try:
        verify_pragmas(db, target)
        db.executescript(SCHEMA)
        db.execute("ATTACH DATABASE ? AS old", (str(source),))
        db.execute("BEGIN")  # IMMEDIATE would lock ``old`` too, which the mover holds
        try:
            db.execute("DELETE FROM main.bus_message WHERE 0")  # ``main``'s write lock now
            if _empty(db, "main"):
                for table, columns in TABLES.items():
                    db.execute(
                        f"INSERT INTO main.{table} ({columns}) "  # noqa: S608
                        f"SELECT {columns} FROM old.{table}"
                    )
            if not _same(db):
                raise BusError(
                    f"embedded bus: {target} and {source} both hold a bus, and not the "
                    f"same: keep the one in use (the newer messages), move the other away"
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("DETACH DATABASE old")
    finally:
        db.close()


def move_bus(
    source: Path, target: Path, queue: AbstractContextManager[object] | None = None
) -> bool:
    """Move the bus tables from the store's file ``source`` to ``target``; True if moved.

    Nothing to move (no such file, no bus tables in it): returns at once, without a lock.
    Else the move holds ``queue``, the store's writers' (the runtime gives its
    :mod:`~shieldwall.store.sql.write_lock`), so they and the other processes starting
    wait for a long copy in the kernel rather than give up after SQLite's busy timeout.
    """
    if not source.exists():
        return False
    try:
        store = sqlite3.connect(
            f"{source.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
        )
        try:
            if not _has_tables(store):
                return False
            with queue if queue is not None else nullcontext():
                return _move(store, source, target)
        finally:
            store.close()
    except sqlite3.Error as error:
        raise BusError(f"embedded bus: moving it from {source} to {target}: {error}") from error


def _move(store: sqlite3.Connection, source: Path, target: Path) -> bool:
    store.execute("BEGIN IMMEDIATE")  # no writer of the old bus, no other mover
    try:
        if not _has_tables(store):  # another process moved it while we waited
            store.execute("ROLLBACK")
            return False
        if not _empty(store, "main"):
            _copy_into(target, source)
        for table in reversed(TABLES):
            store.execute(f"DROP TABLE {table}")
        store.execute("COMMIT")
    except BaseException:
        store.execute("ROLLBACK")
        raise
    return True

"""Creating database engines that are safe by default.

SQLite is opened in WAL mode with ``synchronous=FULL`` and foreign keys on, and the pragmas
are read back: if the file system refuses WAL the store refuses to start rather than run
with weaker durability than promised. Write transactions on SQLite begin IMMEDIATE so two
writers queue instead of failing half-way with "database is locked", and they queue in
the kernel on a lock file (:func:`writer_queue`) rather than in SQLite's busy handler.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from shieldwall.model.errors import StoreError
from shieldwall.store.sql.write_lock import write_lock

BUSY_TIMEOUT_MS = 30_000
BEGIN_MODE = "shieldwall_begin"
"""Execution option naming how a SQLite transaction begins (DEFERRED or IMMEDIATE)."""


def _sqlite_connect(synchronous: str) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        try:
            mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            level = cursor.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            cursor.close()
        if str(mode).lower() != "wal":
            raise StoreError(f"SQLite refused WAL mode (got {mode}); use a local file system")
        if level < 2:  # 2 = FULL, 3 = EXTRA
            raise StoreError("SQLite refused synchronous=FULL")

    return on_connect


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(BEGIN_MODE, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


_DIGITS_ONLY = bytes(48 if 48 <= byte <= 57 else 46 for byte in range(256))
"""Every digit to ``0``, every other byte to ``.``: a run of digits becomes a run of zeros."""
_LONG_RUN = b"0" * 19
"""19 digits in a row: a number orjson may read otherwise than the standard library (it
reads integers beyond 64 bits as floats); shorter ones it reads alike."""


def load_json(text: str | bytes) -> Any:
    """A stored JSON document read back: orjson where it gives what the standard
    library gives, which is most of the time and several times faster (alerts carry the
    evidence of their event, read on every page and by the fuse stage).

    orjson reads an integer beyond 64 bits as a float and refuses ``NaN``, both of which
    the standard library wrote and reads back exactly: such text is read by it."""
    raw = text.encode() if isinstance(text, str) else text
    if _LONG_RUN in raw.translate(_DIGITS_ONLY):  # C loops: ~2 µs where a regex took 25
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create_sql_engine(url: str, *, synchronous: str = "FULL") -> Engine:
    """An engine for ``url`` with the durability and locking rules above."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {parsed_safe(url)}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise StoreError("an in-memory SQLite database is not durable; give a file path")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False}, json_deserializer=load_json
        )
        event.listen(engine, "connect", _sqlite_connect(synchronous))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            json_deserializer=load_json,
        )
    raise StoreError(f"unsupported database: {parsed.get_backend_name()}")


def writer_queue(engine: Engine) -> AbstractContextManager[None]:
    """What a write transaction holds around it: on SQLite, the file's :mod:`write_lock`
    (writers wait in the kernel, not in the busy handler's sleeps); on PostgreSQL,
    nothing (its writers do not exclude each other)."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        return write_lock(Path(engine.url.database))
    return nullcontext()


def parsed_safe(url: str) -> str:
    """A URL fit for messages and logs: the password, if any, is masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"

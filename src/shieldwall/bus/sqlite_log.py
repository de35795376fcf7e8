"""The embedded bus's durable log: three tables in a SQLite file (``bus.db`` on the
embedded default, so its writes never queue behind the store's; see
:mod:`shieldwall.bus.sqlite_move`).

This module is synchronous and knows nothing of asyncio; :mod:`shieldwall.bus.embedded`
runs it on one worker thread. Every change is one ``BEGIN IMMEDIATE`` transaction, so
several processes may share the file (the busy timeout queues them), and WAL with
``synchronous=FULL`` makes a committed transaction survive a crash of the process and of
the machine. The tables are prefixed ``bus_`` and created here, outside the store's
migrations, so the bus stays usable on its own.

A consumer row holds its cursor (the highest sequence ever delivered to it); the pending
table holds what was delivered and not yet acknowledged, with its deadline. A pending row
whose deliveries reached ``max_deliver`` gets no deadline and is never delivered again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from shieldwall.bus.protocol import Delivery
from shieldwall.model.errors import BusError, StoreError

BUSY_TIMEOUT_SECONDS = 30.0
SYNCHRONOUS_FULL = 2
KEYS_PER_QUERY = 500
"""Keys looked up in one query (SQLite allows 999 parameters before 3.32)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS bus_message (
    subject TEXT NOT NULL,
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    payload BLOB NOT NULL,
    published_at REAL NOT NULL,
    PRIMARY KEY (subject, seq),
    UNIQUE (subject, key)
);
CREATE TABLE IF NOT EXISTS bus_consumer (
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    delivered_seq INTEGER NOT NULL,
    ack_wait REAL NOT NULL,
    max_deliver INTEGER NOT NULL,
    PRIMARY KEY (subject, name)
);
CREATE TABLE IF NOT EXISTS bus_pending (
    subject TEXT NOT NULL,
    consumer TEXT NOT NULL,
    seq INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    deadline REAL,
    PRIMARY KEY (subject, consumer, seq)
);
CREATE INDEX IF NOT EXISTS bus_pending_due ON bus_pending (subject, consumer, deadline)
    WHERE deadline IS NOT NULL;
"""


def verify_pragmas(connection: sqlite3.Connection, path: Path) -> None:
    """Switch on WAL and ``synchronous=FULL``, read them back, refuse to run without them.

    Without WAL, readers block the writer; without FULL, a power cut can lose a message
    whose publish had returned. Both would break the bus's promise, so we stop instead.
    """
    mode = str(connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
    connection.execute("PRAGMA synchronous=FULL")
    synchronous = int(connection.execute("PRAGMA synchronous").fetchone()[0])
    if mode != "wal":
        raise BusError(
            f"embedded bus at {path}: SQLite journal_mode is {mode!r}, the bus needs 'wal'; "
            "use a database file on a local file system (not ':memory:', not a network share) "
            "that no other process holds open outside WAL mode"
        )
    if synchronous != SYNCHRONOUS_FULL:
        raise BusError(
            f"embedded bus at {path}: SQLite synchronous is {synchronous}, the bus needs FULL "
            f"({SYNCHRONOUS_FULL}); remove whatever sets a lower synchronous level"
        )


class SqliteLog:
    """Messages, consumers and in-flight deliveries in one SQLite file."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        queue: AbstractContextManager[object] | None = None,
    ) -> None:
        self._connection = connection
        self.path = path
        self._queue = queue if queue is not None else nullcontext()

    @classmethod
    def open(cls, path: Path, queue: AbstractContextManager[object] | None = None) -> SqliteLog:
        """Open (creating if needed) the bus tables in the SQLite file at ``path``.

        ``queue``, held around every write transaction, lets the writers of the file wait
        their turn elsewhere than in SQLite's sleeping busy handler (the runtime gives the
        store's :mod:`~shieldwall.store.sql.write_lock`, a flock the kernel hands on)."""
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise BusError(f"embedded bus: cannot open SQLite file {path}: {error}") from error
        log = cls(connection, path, queue)
        try:  # in the queue too: two first openers switching the file to WAL at once
            with log._failing_as_bus_error("open"), log._queue:  # got "database is locked"
                verify_pragmas(connection, path)
                connection.executescript(SCHEMA)
        except BusError:
            connection.close()
            raise
        return log

    def close(self) -> None:
        """Close the connection; committed work is already on disk."""
        self._connection.close()

    @contextmanager
    def _failing_as_bus_error(self, operation: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, StoreError) as error:  # StoreError: the queue's wait
            raise BusError(f"embedded bus at {self.path}: {operation} failed: {error}") from error

    @contextmanager
    def _transaction(self, operation: str) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock up front to avoid deadlocks."""
        with self._failing_as_bus_error(operation), self._queue:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def publish(self, subject: str, messages: Sequence[tuple[str, bytes]], now: float) -> list[int]:
        """Store the messages whose keys are new; return each message's sequence number.

        New messages take the next sequence numbers in order, without holes; a key seen
        before (stored, or earlier in the batch) gets the number it already has. A batch
        of new keys (the usual case) is one ``executemany``; only when the count inserted
        says some key was stored already is that undone and the stored keys looked up.
        """
        with self._transaction(f"publish to {subject}") as db:
            last = self._last_sequence(db, subject)
            numbered = _numbered(messages, last, {})
            if not self._insert(db, subject, messages, numbered, now, stored={}):
                stored = self._sequences_of(db, subject, [key for key, _ in messages])
                numbered = _numbered(messages, last, stored)
                if not self._insert(db, subject, messages, numbered, now, stored=stored):
                    raise sqlite3.IntegrityError("a key stored meanwhile in a locked transaction")
        return [numbered[key] for key, _ in messages]

    @staticmethod
    def _insert(
        db: sqlite3.Connection,
        subject: str,
        messages: Sequence[tuple[str, bytes]],
        numbered: dict[str, int],
        now: float,
        *,
        stored: dict[str, int],
    ) -> bool:
        """Insert each message of a key neither ``stored`` nor earlier in the batch; False,
        with nothing inserted, when some key turned out to be stored already."""
        rows = []
        taken = set(stored)
        for key, payload in messages:
            if key not in taken:
                taken.add(key)
                rows.append((subject, numbered[key], key, payload, now))
        db.execute("SAVEPOINT publish")
        before = db.total_changes
        db.executemany(
            "INSERT INTO bus_message (subject, seq, key, payload, published_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject, key) DO NOTHING",
            rows,
        )
        inserted_all = db.total_changes - before == len(rows)
        if not inserted_all:
            db.execute("ROLLBACK TO publish")
        db.execute("RELEASE publish")
        return inserted_all

    @staticmethod
    def _sequences_of(db: sqlite3.Connection, subject: str, keys: list[str]) -> dict[str, int]:
        """The sequence number of each of ``keys`` already stored on ``subject``."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            found.update(
                db.execute(
                    f"SELECT key, seq FROM bus_message WHERE subject = ? AND key IN ({marks})",  # noqa: S608
                    (subject, *chunk),
                ).fetchall()
            )
        return found

    @staticmethod
    def _last_sequence(db: sqlite3.Connection, subject: str) -> int:
        row = db.execute("SELECT MAX(seq) FROM bus_message WHERE subject = ?", (subject,))
        return int(row.fetchone()[0] or 0)

    def last_sequence(self, subject: str) -> int:
        """Sequence number of the latest message on ``subject``; 0 if none."""
        with self._failing_as_bus_error(f"reading {subject}"):
            return self._last_sequence(self._connection, subject)

    def backlog(self, subject: str, name: str) -> int | None:
        """Messages not yet delivered to the consumer plus those delivered and waiting for
        their acknowledgement (a delivery past ``max_deliver`` waits for nothing)."""
        with self._failing_as_bus_error(f"reading consumer {name} on {subject}"):
            db = self._connection
            row = db.execute(
                "SELECT delivered_seq FROM bus_consumer WHERE subject = ? AND name = ?",
                (subject, name),
            ).fetchone()
            if row is None:
                return None
            waiting = db.execute(
                "SELECT COUNT(*) FROM bus_pending WHERE subject = ? AND consumer = ? "
                "AND deadline IS NOT NULL",
                (subject, name),
            ).fetchone()[0]
            return self._last_sequence(db, subject) - int(row[0]) + int(waiting)

    def open_consumer(
        self, subject: str, name: str, ack_wait: float, max_deliver: int, now: float
    ) -> None:
        """Create or update the consumer; its in-flight deliveries become due now.

        A durable consumer on the embedded bus belongs to one process at a time, so whoever
        opens it takes over what the previous holder left unacknowledged (after a crash,
        that is everything it was working on).
        """
        with self._transaction(f"opening consumer {name} on {subject}") as db:
            db.execute(
                "INSERT INTO bus_consumer (subject, name, delivered_seq, ack_wait, max_deliver) "
                "VALUES (?, ?, 0, ?, ?) ON CONFLICT (subject, name) DO UPDATE SET "
                "ack_wait = excluded.ack_wait, max_deliver = excluded.max_deliver",
                (subject, name, ack_wait, max_deliver),
            )
            db.execute(
                "UPDATE bus_pending SET deadline = ? "
                "WHERE subject = ? AND consumer = ? AND deadline IS NOT NULL",
                (now, subject, name),
            )

    def fetch(self, subject: str, name: str, batch: int, now: float) -> list[Delivery]:
        """Deliver due redeliveries first, then new messages, up to ``batch``, by sequence."""
        with self._transaction(f"fetch for consumer {name} on {subject}") as db:
            cursor, ack_wait, max_deliver = self._consumer_row(db, subject, name)
            db.execute(
                "UPDATE bus_pending SET deadline = NULL WHERE subject = ? AND consumer = ? "
                "AND deadline <= ? AND deliveries >= ?",
                (subject, name, now, max_deliver),
            )
            due = db.execute(
                "SELECT p.seq, p.deliveries + 1, m.key, m.payload FROM bus_pending p "
                "JOIN bus_message m ON m.subject = p.subject AND m.seq = p.seq "
                "WHERE p.subject = ? AND p.consumer = ? AND p.deadline <= ? "
                "ORDER BY p.seq LIMIT ?",
                (subject, name, now, batch),
            ).fetchall()
            fresh = db.execute(
                "SELECT seq, 1, key, payload FROM bus_message WHERE subject = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (subject, cursor, batch - len(due)),
            ).fetchall()
            self._mark_delivered(db, subject, name, due, fresh, now + ack_wait)
        return [
            Delivery(subject, name, int(seq), str(key), bytes(payload), int(attempt))
            for seq, attempt, key, payload in (*due, *fresh)
        ]

    @staticmethod
    def _consumer_row(db: sqlite3.Connection, subject: str, name: str) -> tuple[int, float, int]:
        row = db.execute(
            "SELECT delivered_seq, ack_wait, max_deliver FROM bus_consumer "
            "WHERE subject = ? AND name = ?",
            (subject, name),
        ).fetchone()
        if row is None:
            raise BusError(f"consumer {name} on {subject} does not exist (was it dropped?)")
        return int(row[0]), float(row[1]), int(row[2])

    @staticmethod
    def _mark_delivered(
        db: sqlite3.Connection,
        subject: str,
        name: str,
        due: Sequence[tuple[int, int, str, bytes]],
        fresh: Sequence[tuple[int, int, str, bytes]],
        deadline: float,
    ) -> None:
        db.executemany(
            "UPDATE bus_pending SET deliveries = ?, deadline = ? "
            "WHERE subject = ? AND consumer = ? AND seq = ?",
            [(attempt, deadline, subject, name, seq) for seq, attempt, _, _ in due],
        )
        if fresh:  # one statement for the run of new messages, none per message
            db.execute(
                "INSERT INTO bus_pending (subject, consumer, seq, deliveries, deadline) "
                "SELECT subject, ?, seq, 1, ? FROM bus_message "
                "WHERE subject = ? AND seq BETWEEN ? AND ?",
                (name, deadline, subject, fresh[0][0], fresh[-1][0]),
            )
            db.execute(
                "UPDATE bus_consumer SET delivered_seq = ? WHERE subject = ? AND name = ?",
                (fresh[-1][0], subject, name),
            )

    def ack(self, subject: str, name: str, sequences: Sequence[int]) -> None:
        """Forget the deliveries: they are done and never come back."""
        with self._transaction(f"ack for consumer {name} on {subject}") as db:
            span = _span(sequences)
            if span is not None:  # a whole fetch, acknowledged at once: one range
                db.execute(
                    "DELETE FROM bus_pending WHERE subject = ? AND consumer = ? "
                    "AND seq BETWEEN ? AND ?",
                    (subject, name, *span),
                )
                return
            db.executemany(
                "DELETE FROM bus_pending WHERE subject = ? AND consumer = ? AND seq = ?",
                [(subject, name, seq) for seq in sequences],
            )

    def nak(self, subject: str, name: str, sequences: Sequence[int], now: float) -> None:
        """Make the deliveries due for redelivery now."""
        with self._transaction(f"nak for consumer {name} on {subject}") as db:
            db.executemany(
                "UPDATE bus_pending SET deadline = ? WHERE subject = ? AND consumer = ? "
                "AND seq = ? AND deadline IS NOT NULL",
                [(now, subject, name, seq) for seq in sequences],
            )

    def drop(self, subject: str) -> None:
        """Delete the subject's messages, consumers and pending deliveries."""
        with self._transaction(f"dropping {subject}") as db:
            for table in ("bus_pending", "bus_consumer", "bus_message"):
                db.execute(f"DELETE FROM {table} WHERE subject = ?", (subject,))  # noqa: S608


def _span(sequences: Sequence[int]) -> tuple[int, int] | None:
    """``(first, last)`` when ``sequences`` are every number from first to last once each
    (in any order): deleting that range then deletes exactly them. Else None."""
    if not sequences:
        return None
    first, last = min(sequences), max(sequences)
    if last - first + 1 == len(sequences) == len(set(sequences)):
        return first, last
    return None


def _numbered(
    messages: Sequence[tuple[str, bytes]], last: int, stored: dict[str, int]
) -> dict[str, int]:
    """Each key's sequence number: its stored one, else the next after ``last`` in order."""
    numbered = dict(stored)
    for key, _ in messages:
        if key not in numbered:
            last += 1
            numbered[key] = last
    return numbered

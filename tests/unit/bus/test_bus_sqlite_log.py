"""The embedded bus's SQLite file: the pragmas it insists on and the errors it gives."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.bus.sqlite_log import SqliteLog, verify_pragmas
from shieldwall.model.errors import BusError
from shieldwall.store.sql.write_lock import write_lock


def test_a_database_that_cannot_do_wal_is_refused_with_what_to_change() -> None:
    connection = sqlite3.connect(":memory:")
    try:
        with pytest.raises(BusError, match=r"journal_mode is 'memory', the bus needs 'wal'"):
            verify_pragmas(connection, Path(":memory:"))
    finally:
        connection.close()


def test_opening_sets_and_keeps_wal_and_full_sync(tmp_path: Path) -> None:
    log = SqliteLog.open(tmp_path / "bus.db")
    log.close()
    connection = sqlite3.connect(tmp_path / "bus.db")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    assert {"bus_message", "bus_consumer", "bus_pending"} <= tables


def test_a_file_that_is_not_a_database_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not SQLite" * 100)

    with pytest.raises(BusError, match=r"notes\.db.*not a database"):
        SqliteLog.open(path)


def test_a_missing_directory_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(BusError, match=r"missing[/\\]bus\.db"):
        SqliteLog.open(tmp_path / "missing" / "bus.db")


def test_the_bus_shares_the_file_with_other_tables(tmp_path: Path) -> None:
    path = tmp_path / "shieldwall.db"
    with sqlite3.connect(path) as store:
        store.execute("CREATE TABLE alert (id INTEGER PRIMARY KEY, rule TEXT)")
        store.execute("INSERT INTO alert (rule) VALUES ('r1')")
    store.close()

    log = SqliteLog.open(path)
    sequences = log.publish("events.raw", [("k", b"x")], now=1.0)
    log.close()

    with sqlite3.connect(path) as again:
        assert again.execute("SELECT rule FROM alert").fetchall() == [("r1",)]
    again.close()
    assert sequences == [1]


def test_fetching_for_a_dropped_consumer_says_so(tmp_path: Path) -> None:
    log = SqliteLog.open(tmp_path / "bus.db")
    try:
        log.open_consumer("events.raw", "reader", 30.0, 5, now=1.0)
        log.drop("events.raw")
        with pytest.raises(BusError, match="does not exist"):
            log.fetch("events.raw", "reader", 10, now=2.0)
    finally:
        log.close()


@settings(max_examples=40, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.sampled_from([f"k{n}" for n in range(8)]), max_size=8), max_size=5
    ),
    keys_per_query=st.sampled_from([1, 3, 500]),
)
def test_publish_numbers_new_keys_in_order_and_repeats_as_before(
    tmp_path_factory: pytest.TempPathFactory, batches: list[list[str]], keys_per_query: int
) -> None:
    """One message per key, sequence numbers without holes, a repeat (in the batch or
    stored) answered with its first number: as a dict from key to number would say."""
    model: dict[str, int] = {}
    log = SqliteLog.open(tmp_path_factory.mktemp("bus") / "bus.db")
    try:
        with patch("shieldwall.bus.sqlite_log.KEYS_PER_QUERY", keys_per_query):
            for batch in batches:
                expected = [model.setdefault(key, len(model) + 1) for key in batch]
                messages = [(key, key.encode()) for key in batch]
                assert log.publish("events.raw", messages, now=1.0) == expected
        assert log.last_sequence("events.raw") == len(model)
        log.open_consumer("events.raw", "reader", 30.0, 5, now=1.0)
        delivered = log.fetch("events.raw", "reader", 100, now=2.0)
        assert [(d.sequence, d.key, d.payload) for d in delivered] == [
            (number, key, key.encode()) for key, number in model.items()
        ]
    finally:
        log.close()


@pytest.mark.parametrize(
    ("acked", "left"),
    [
        ([2, 3, 4], [1, 5, 6]),  # a run: one range deleted
        ([1, 6], [2, 3, 4, 5]),  # scattered: one by one
        ([4, 2, 3], [1, 5, 6]),  # a run in any order
        ([5, 5], [1, 2, 3, 4, 6]),  # a repeat
        ([2, 2, 3], [1, 4, 5, 6]),  # a repeat that spans as many as it names
        ([1, 3], [2, 4, 5, 6]),
        ([3], [1, 2, 4, 5, 6]),
    ],
)
def test_an_ack_forgets_exactly_the_deliveries_named(
    tmp_path: Path, acked: list[int], left: list[int]
) -> None:
    log = SqliteLog.open(tmp_path / "bus.db")
    try:
        log.open_consumer("events.raw", "reader", 30.0, 5, now=1.0)
        log.publish("events.raw", [(f"k{n}", b"x") for n in range(1, 7)], now=1.0)
        assert [d.sequence for d in log.fetch("events.raw", "reader", 100, now=1.0)] == [
            1, 2, 3, 4, 5, 6,
        ]  # fmt: skip
        log.ack("events.raw", "reader", acked)
        again = log.fetch("events.raw", "reader", 100, now=100.0)  # past ack_wait
        assert [(d.sequence, d.attempt) for d in again] == [(seq, 2) for seq in left]
        assert log.backlog("events.raw", "reader") == len(left)
    finally:
        log.close()


def test_every_write_transaction_and_no_read_waits_in_the_queue_given(tmp_path: Path) -> None:
    """The runtime passes the store's flock (issue 10: writers woken by the kernel, not
    by the busy handler's sleeps): each write holds it from before BEGIN to after COMMIT."""
    turns: list[str] = []

    class Queue:
        def __enter__(self) -> None:
            turns.append("in")

        def __exit__(self, *_exc: object) -> None:
            turns.append("out")

    log = SqliteLog.open(tmp_path / "bus.db", Queue())
    try:
        assert turns == ["in", "out"]  # the open's switch to WAL and its tables
        log.open_consumer("events.raw", "reader", 30.0, 5, now=1.0)
        log.publish("events.raw", [("k", b"x")], now=1.0)
        got = log.fetch("events.raw", "reader", 10, now=1.0)
        log.ack("events.raw", "reader", [d.sequence for d in got])
        assert turns == ["in", "out"] * 5
        log.last_sequence("events.raw")
        log.backlog("events.raw", "reader")
        assert len(turns) == 10  # reads take no turn
    finally:
        log.close()


def test_first_openers_at_once_all_open_when_they_queue(tmp_path: Path) -> None:
    """Threads opening a new bus file together switch it to WAL and create its tables one
    at a time: side by side, about one round in eight gave "database is locked" (the detect
    and fuse threads of `up` opening the bus at start)."""
    failures: list[BaseException] = []
    for round_ in range(30):
        path = tmp_path / f"bus{round_}.db"
        barrier = threading.Barrier(4)

        def open_once(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                SqliteLog.open(path, write_lock(path)).close()
            except BusError as error:
                failures.append(error)

        threads = [threading.Thread(target=open_once) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []

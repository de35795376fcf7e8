"""Where the embedded bus lives: ``bus.db``, a file of its own, moved there losing nothing.

The bus's writes queue for SQLite's one writer of their file; in a file of their own they
never wait for the store's (issue 10, the embedded default across processes). A data
directory from before has its bus in ``shieldwall.db``: its messages in flight, its
consumers' cursors and its idempotency keys must all be in ``bus.db`` after the upgrade,
also when the move was interrupted half-way, and a ``bus.db`` in use is never overwritten.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shieldwall.bus.sqlite_log import SqliteLog
from shieldwall.bus.sqlite_move import _copy_into
from shieldwall.config.settings import Settings, load_settings
from shieldwall.model.errors import BusError
from shieldwall.runtime.live import LiveBus, bus_file


def _settings(data: Path) -> Settings:
    return load_settings({"SHIELDWALL_DATA_DIR": str(data)})


def _bus_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    return {name for name in names if name.startswith("bus_")}


def _old_bus_with_one_in_flight(data: Path) -> None:
    """A store file as before: k1 delivered and not acknowledged, k2 not yet delivered."""
    old = SqliteLog.open(data / "shieldwall.db")
    old.open_consumer("events.raw", "detect", ack_wait=3600, max_deliver=5, now=1.0)
    old.publish("events.raw", [("k1", b"one"), ("k2", b"two")], now=1.0)
    assert [d.key for d in old.fetch("events.raw", "detect", 1, now=1.0)] == ["k1"]
    old.close()


async def _after_upgrade(settings: Settings) -> tuple[list[tuple[str, int]], list[int]]:
    buses = LiveBus(settings)
    bus = await buses()
    again = await bus.publish_many("events.raw", [("k2", b"two"), ("k3", b"three")])
    consumer = await bus.consumer("events.raw", "detect", ack_wait=3600)
    got = await consumer.fetch(10, timeout=0)
    await buses.close_current()
    return [(d.key, d.attempt) for d in got], again


def test_a_new_data_directory_gets_bus_db(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert bus_file(settings) == tmp_path / "bus.db"
    assert not (tmp_path / "shieldwall.db").exists()  # looking did not create it

    async def publish() -> None:
        buses = LiveBus(settings)
        await (await buses()).publish("events.raw", b"x", key="k")
        await buses.close_current()

    asyncio.run(publish())
    assert SqliteLog.open(tmp_path / "bus.db").last_sequence("events.raw") == 1
    assert (tmp_path / "bus.db.lock").exists()  # its writers queue on its flock


def test_a_store_file_without_a_bus_is_left_alone(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "shieldwall.db") as store:
        store.execute("CREATE TABLE alert (id INTEGER PRIMARY KEY)")
    store.close()
    assert bus_file(_settings(tmp_path)) == tmp_path / "bus.db"
    assert not (tmp_path / "bus.db").exists()


def test_empty_bus_tables_in_the_store_file_are_dropped(tmp_path: Path) -> None:
    SqliteLog.open(tmp_path / "shieldwall.db").close()
    assert bus_file(_settings(tmp_path)) == tmp_path / "bus.db"
    assert _bus_tables(tmp_path / "shieldwall.db") == set()


def test_the_bus_moves_out_of_the_store_file_with_its_messages_in_flight(
    tmp_path: Path,
) -> None:
    _old_bus_with_one_in_flight(tmp_path)

    assert bus_file(_settings(tmp_path)) == tmp_path / "bus.db"
    assert _bus_tables(tmp_path / "shieldwall.db") == set()

    delivered, again = asyncio.run(_after_upgrade(_settings(tmp_path)))
    assert delivered == [("k1", 2), ("k2", 1), ("k3", 1)]  # k1 was in flight: again
    assert again == [2, 3]  # k2's key is still known: not stored twice


def test_a_move_interrupted_after_the_copy_only_drops_the_old_tables(tmp_path: Path) -> None:
    _old_bus_with_one_in_flight(tmp_path)
    _copy_into(tmp_path / "bus.db", tmp_path / "shieldwall.db")  # then the process died

    assert bus_file(_settings(tmp_path)) == tmp_path / "bus.db"
    assert _bus_tables(tmp_path / "shieldwall.db") == set()
    delivered, again = asyncio.run(_after_upgrade(_settings(tmp_path)))
    assert delivered == [("k1", 2), ("k2", 1), ("k3", 1)]  # each once: nothing copied twice
    assert again == [2, 3]


def test_a_bus_db_in_use_is_never_overwritten(tmp_path: Path) -> None:
    _old_bus_with_one_in_flight(tmp_path)
    used = SqliteLog.open(tmp_path / "bus.db")
    used.publish("events.raw", [("other", b"newer")], now=2.0)
    used.close()

    with pytest.raises(BusError, match=r"bus\.db and .*shieldwall\.db both hold a bus"):
        bus_file(_settings(tmp_path))
    assert _bus_tables(tmp_path / "shieldwall.db") == {"bus_message", "bus_consumer", "bus_pending"}
    assert SqliteLog.open(tmp_path / "bus.db").last_sequence("events.raw") == 1


def test_a_postgresql_store_keeps_the_bus_in_bus_db(tmp_path: Path) -> None:
    SqliteLog.open(tmp_path / "shieldwall.db").publish("events.raw", [("k", b"x")], now=1.0)
    settings = load_settings(
        {
            "SHIELDWALL_DATA_DIR": str(tmp_path),
            "SHIELDWALL_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    assert bus_file(settings) == tmp_path / "bus.db"
    assert "bus_message" in _bus_tables(tmp_path / "shieldwall.db")  # not the bus's store


MOVER = """
import sys
from pathlib import Path
from shieldwall.bus.sqlite_move import move_bus
from shieldwall.store.sql.write_lock import write_lock
data = Path(sys.argv[1])
sys.stdin.readline()  # both start together
print(move_bus(data / "shieldwall.db", data / "bus.db", write_lock(data / "shieldwall.db")))
"""


def test_processes_starting_together_move_it_once(tmp_path: Path) -> None:
    _old_bus_with_one_in_flight(tmp_path)
    movers = [
        subprocess.Popen(
            [sys.executable, "-c", MOVER, str(tmp_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for mover in movers:  # each has imported by now or reads this as soon as it has
        assert mover.stdin is not None
        mover.stdin.write("go\n")
        mover.stdin.flush()
    answers = [mover.communicate(timeout=120)[0].strip() for mover in movers]

    assert sorted(answers) == ["False", "False", "True"]
    delivered, again = asyncio.run(_after_upgrade(_settings(tmp_path)))
    assert delivered == [("k1", 2), ("k2", 1), ("k3", 1)]
    assert again == [2, 3]

"""Where the embedded bus lives: ``bus.db`` of its own, unless the store's file has it.

The bus's writes queue for SQLite's one writer of their file; in a file of their own they
never wait for the store's (issue 10, the embedded default across processes). A data
directory from before keeps its bus in ``shieldwall.db``: its messages in flight, its
acknowledgements and its idempotency keys must all still be there after the upgrade.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from shieldwall.bus.sqlite_log import SqliteLog
from shieldwall.config.settings import load_settings
from shieldwall.runtime.live import LiveBus, bus_file


def test_a_new_data_directory_gets_bus_db(tmp_path: Path) -> None:
    settings = load_settings({"SHIELDWALL_DATA_DIR": str(tmp_path)})
    assert bus_file(settings) == tmp_path / "bus.db"
    assert not (tmp_path / "shieldwall.db").exists()  # looking did not create it

    async def publish() -> None:
        buses = LiveBus(settings)
        await (await buses()).publish("events.raw", b"x", key="k")
        await buses.close_current()

    asyncio.run(publish())
    assert SqliteLog.open(tmp_path / "bus.db").last_sequence("events.raw") == 1


def test_a_store_file_without_bus_messages_leaves_the_bus_in_bus_db(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "shieldwall.db") as store:
        store.execute("CREATE TABLE alert (id INTEGER PRIMARY KEY)")
    store.close()
    settings = load_settings({"SHIELDWALL_DATA_DIR": str(tmp_path)})
    assert bus_file(settings) == tmp_path / "bus.db"

    SqliteLog.open(tmp_path / "shieldwall.db").close()  # the bus's tables, all empty
    assert bus_file(settings) == tmp_path / "bus.db"


def test_a_store_file_holding_the_bus_keeps_it_with_its_messages_in_flight(
    tmp_path: Path,
) -> None:
    old = SqliteLog.open(tmp_path / "shieldwall.db")
    old.open_consumer("events.raw", "detect", ack_wait=3600, max_deliver=5, now=1.0)
    old.publish("events.raw", [("k1", b"one"), ("k2", b"two")], now=1.0)
    assert [d.key for d in old.fetch("events.raw", "detect", 1, now=1.0)] == ["k1"]
    old.close()
    settings = load_settings({"SHIELDWALL_DATA_DIR": str(tmp_path)})

    assert bus_file(settings) == tmp_path / "shieldwall.db"

    async def after_upgrade() -> tuple[list[str], list[int]]:
        buses = LiveBus(settings)
        bus = await buses()
        again = await bus.publish_many("events.raw", [("k2", b"two"), ("k3", b"three")])
        consumer = await bus.consumer("events.raw", "detect", ack_wait=3600)
        got = await consumer.fetch(10, timeout=0)
        await buses.close_current()
        return [d.key for d in got], again

    keys, again = asyncio.run(after_upgrade())
    assert keys == ["k1", "k2", "k3"]  # k1 was in flight: redelivered, not lost
    assert again == [2, 3]  # k2's key still known: not stored twice
    assert not (tmp_path / "bus.db").exists()


def test_a_postgresql_store_keeps_the_bus_in_bus_db(tmp_path: Path) -> None:
    SqliteLog.open(tmp_path / "shieldwall.db").publish("events.raw", [("k", b"x")], now=1.0)
    settings = load_settings(
        {
            "SHIELDWALL_DATA_DIR": str(tmp_path),
            "SHIELDWALL_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    assert bus_file(settings) == tmp_path / "bus.db"

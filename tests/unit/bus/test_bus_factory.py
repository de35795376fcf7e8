"""open_bus: which URL opens which bus, and the errors for the rest."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shieldwall.bus.embedded import EmbeddedBus
from shieldwall.bus.factory import embedded_path, nats_settings, open_bus
from shieldwall.model.errors import BusError, ConfigError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/shieldwall.db", Path("data/shieldwall.db")),
        ("sqlite:////var/lib/shieldwall.db", Path("/var/lib/shieldwall.db")),
        ("sqlite+pysqlite:///x.db", Path("x.db")),
        ("embedded", Path("store.db")),
        ("nats://127.0.0.1:4222", None),
    ],
)
def test_embedded_urls_name_their_file(url: str, expected: Path | None) -> None:
    assert embedded_path(url, store_path=Path("store.db")) == expected


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite:///", "sqlite:///x.db?mode=ro"])
def test_embedded_urls_without_a_durable_file_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="SHIELDWALL_BUS_URL"):
        embedded_path(url)


def test_embedded_without_the_store_file_is_refused() -> None:
    with pytest.raises(ConfigError, match="store's SQLite file"):
        embedded_path("embedded")


def test_nats_urls_give_servers_and_options() -> None:
    assert nats_settings("nats://a:4222,tls://b:4222?replicas=3&duplicate_window=600") == (
        ["nats://a:4222", "tls://b:4222"],
        {"replicas": 3, "duplicate_window": 600.0},
    )
    assert nats_settings("nats://a:4222") == (["nats://a:4222"], {})
    assert nats_settings("sqlite:///x.db") is None


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("nats://a:4222?replica=3", "unknown NATS option"),
        ("nats://a:4222?replicas=three", "not a number"),
        ("nats://a:4222,http://b", "must be nats:// or tls://"),
    ],
)
def test_bad_nats_urls_are_refused(url: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        nats_settings(url)


def test_an_unknown_url_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigError, match="not a bus URL") as caught:
        asyncio.run(open_bus("kafka://user:hunter2@broker:9092"))
    assert "hunter2" not in str(caught.value)


def test_a_sqlite_url_opens_the_embedded_bus(tmp_path: Path) -> None:
    async def open_and_close() -> bool:
        bus = await open_bus(f"sqlite:///{tmp_path / 'bus.db'}")
        await bus.close()
        return isinstance(bus, EmbeddedBus)

    assert asyncio.run(open_and_close())
    assert (tmp_path / "bus.db").exists()


def test_an_unreachable_nats_server_is_a_bus_error_without_credentials() -> None:
    with pytest.raises(
        BusError, match=r"cannot connect to NATS at nats://127\.0\.0\.1:9"
    ) as caught:
        asyncio.run(open_bus("nats://shieldwall:hunter2@127.0.0.1:9"))
    assert "hunter2" not in str(caught.value)
    assert "shieldwall" not in str(caught.value).split("NATS at")[1]

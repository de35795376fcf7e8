"""Fixtures for the Bus contract: every test runs once per implementation.

``reopen`` gives a fresh connection to the same durable state (the same SQLite file, the
same NATS server), which is how a test simulates a process that stopped without acking.
Each test gets its own subject; NATS streams are deleted afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from shieldwall.bus.factory import open_bus
from shieldwall.bus.protocol import Bus

Reopen = Callable[[], Awaitable[Bus]]


@pytest.fixture
def anyio_backend() -> str:
    """The bus is written for asyncio (the embedded bus runs SQLite on a thread pool)."""
    return "asyncio"


@pytest.fixture(params=["embedded", pytest.param("nats", marks=pytest.mark.nats)])
def bus_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of the implementation under test."""
    if request.param == "nats":
        return str(request.getfixturevalue("nats_url"))
    return f"sqlite:///{tmp_path / 'shieldwall.db'}"


@pytest.fixture
def subject() -> str:
    """A subject no other test uses."""
    return f"test.contract.{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def reopen(bus_url: str, subject: str, anyio_backend: str) -> AsyncIterator[Reopen]:
    """Open another connection to the bus; all are closed and the subject dropped after."""
    opened: list[Bus] = []

    async def open_another() -> Bus:
        bus = await open_bus(bus_url)
        opened.append(bus)
        return bus

    yield open_another
    cleaner = await open_bus(bus_url)
    await cleaner.drop(subject)
    await cleaner.close()
    for bus in opened:
        await bus.close()


@pytest.fixture
async def bus(reopen: Reopen) -> Bus:
    """The bus under test."""
    return await reopen()

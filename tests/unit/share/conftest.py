"""Fixtures for the intelligence service tests: a store with a small coalition."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall.store.sql.store import SqlStore
from tests.unit.share.intel_world import Session, open_store


@pytest.fixture
def intel_store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def alpha(intel_store: SqlStore) -> Session:
    return Session(intel_store, "p-alpha")


@pytest.fixture
def bravo(intel_store: SqlStore) -> Session:
    return Session(intel_store, "p-bravo")


@pytest.fixture
def charlie(intel_store: SqlStore) -> Session:
    return Session(intel_store, "p-charlie")

"""Fixtures for the store contract: every test runs once on SQLite and once on PostgreSQL.

``store`` is a migrated, empty store over the ``database_url`` of ``tests/conftest.py`` (a
fresh SQLite file, or this session's PostgreSQL schema emptied); ``empty_database_url`` is
a database never migrated (a fresh file, or a PostgreSQL schema of its own, dropped after).
PostgreSQL tests carry the ``postgres`` marker and, like every test needing the server,
fail under ``CI=true`` when it does not answer and skip elsewhere.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from tests.conftest import POSTGRES_URL

SIGNER = Signer.generate()
CHECKPOINT_EVERY = 3
OpenStore = Callable[[], SqlStore]


@pytest.fixture
def open_store(database_url: str) -> Iterator[OpenStore]:
    """Open a store on the test database; as many as asked, all closed afterwards.

    A second store on the same database is how a test sees what another process (or a
    restarted one) would see.
    """
    opened: list[SqlStore] = []

    def open_one() -> SqlStore:
        engine = create_sql_engine(database_url)
        migrate.upgrade(engine)
        opened.append(SqlStore(engine, SIGNER, checkpoint_every=CHECKPOINT_EVERY))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> SqlStore:
    """The store under test: migrated and empty."""
    return open_store()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no migration ever ran on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    import psycopg

    request.getfixturevalue("postgres_url")  # the server answers, or CI fails / we skip
    schema = f"sw_contract_{os.getpid()}_{secrets.token_hex(4)}"
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')

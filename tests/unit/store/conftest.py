"""A store over each database (SQLite file and the test PostgreSQL), migrated and empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

SIGNER = Signer.generate()


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)
    sql_store = SqlStore(engine, SIGNER, checkpoint_every=4)
    yield sql_store
    sql_store.close()

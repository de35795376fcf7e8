"""A store over each database (SQLite file and the test PostgreSQL), migrated and empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.audit_genesis import write_genesis
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import audit_entries, audit_head

SIGNER = Signer.generate()


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A store as the service opens a new database: its genesis signed with the key."""
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine, signer=SIGNER)
    with engine.begin() as connection:
        if connection.execute(select(audit_head.c.id)).first() is None:  # PostgreSQL's reuse
            connection.execute(audit_entries.delete())
            write_genesis(connection, SIGNER, datetime.now(UTC))
    sql_store = SqlStore(engine, SIGNER, checkpoint_every=4)
    yield sql_store
    sql_store.close()

"""Migrations: the same scripts on SQLite and PostgreSQL, and no drift from the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from shieldwall.model.errors import StoreError
from shieldwall.store import migrate
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.tables import metadata


def test_migrated_database_matches_the_declared_schema(database_url: str) -> None:
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.drift(engine) == []
    engine.dispose()


def test_downgrade_to_base_and_back(database_url: str) -> None:
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
    migrate.upgrade(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_drift_is_detected_when_the_database_differs(tmp_path: Path) -> None:
    engine = create_sql_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE people ADD COLUMN nickname TEXT")
    assert any("nickname" in str(change) for change in migrate.drift(engine))


def test_sqlite_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    engine = create_sql_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(StoreError, match="not durable"):
        create_sql_engine("sqlite://")


def test_drift_ignores_the_embedded_bus_tables(tmp_path: Path) -> None:
    engine = create_sql_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE bus_messages (seq INTEGER PRIMARY KEY)")
    assert migrate.drift(engine) == []

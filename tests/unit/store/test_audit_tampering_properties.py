"""Property: random deletions and edits of audit rows in a real SQLite file are always caught.

A log of 13 entries (checkpoints at 4, 8 and 12) is written once; each example copies the
file, deletes rows of any of the three tables and writes random values into any column
(SQLite stores whatever it is given, so this covers values of the wrong type as well), and
verification must report a problem. An edit SQLite turns back into the same stored value
(``5.0`` into an integer column) changes nothing and is not counted as tampering.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from shieldwall.store import migrate
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import audit_checkpoints, audit_entries, audit_head
from tests.unit.store.audit_world import fill, verify
from tests.unit.store.conftest import SIGNER

ROWS = {
    "audit_entries": ("seq", list(range(14))),
    "audit_checkpoints": ("seq", [4, 8, 12]),
    "audit_head": ("id", ["head"]),
}
COLUMNS = {
    table.name: [column.name for column in table.columns if column.name != "id"]
    for table in (audit_entries, audit_checkpoints, audit_head)
}
values = st.one_of(
    st.text(max_size=70),
    st.integers(-3, 2**40),
    st.floats(allow_nan=False),
    st.binary(max_size=8),
    st.sampled_from(["success", "failed", "0" * 64, "2026-01-01 00:00:00.000000", "4", 13]),
)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str, Any, str, Any]:
    """(delete|edit, table, row key, column, value)."""
    table = draw(st.sampled_from(sorted(ROWS)))
    keys = ROWS[table][1]
    key = draw(st.sampled_from(keys))
    op = draw(st.sampled_from(["delete", "edit", "edit"]))
    return op, table, key, draw(st.sampled_from(COLUMNS[table])), draw(values)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit-template") / "audit.db"
    engine = create_sql_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, signer=SIGNER)
    store = SqlStore(engine, SIGNER, checkpoint_every=4)
    fill(store, 13)
    assert verify(store) is None
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def _raw(store: SqlStore) -> list[Any]:
    with store.engine.connect() as connection:
        return [
            connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
            for table in sorted(ROWS)
        ]


def _apply(store: SqlStore, mutation: tuple[str, str, Any, str, Any]) -> None:
    op, table, key, column, value = mutation
    key_column = ROWS[table][0]
    try:
        with store.engine.begin() as db:
            if op == "delete":
                db.exec_driver_sql(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))
            else:
                db.exec_driver_sql(
                    f"UPDATE {table} SET {column} = ? WHERE {key_column} = ?", (value, key)
                )
    except IntegrityError:
        pass  # a duplicate seq or a NOT NULL refused by SQLite: that edit did not happen


def _detected(template: Path, changes: list[tuple[str, str, Any, str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.db"
        shutil.copyfile(template, path)
        store = SqlStore(create_sql_engine(f"sqlite:///{path}"), SIGNER, checkpoint_every=4)
        try:
            before = _raw(store)
            for change in changes:
                _apply(store, change)
            assume(_raw(store) != before)
            problem = verify(store)
        finally:
            store.close()
    assert problem is not None, changes


@given(change=mutations())
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_one_deletion_or_edit_is_detected(
    template: Path, change: tuple[str, str, Any, str, Any]
) -> None:
    _detected(template, [change])


@given(changes=st.lists(mutations(), min_size=2, max_size=5))
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_several_deletions_and_edits_are_detected(
    template: Path, changes: list[tuple[str, str, Any, str, Any]]
) -> None:
    _detected(template, changes)

"""Direct statements behave as ``Connection.execute`` does, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, event, insert, select, update
from sqlalchemy.exc import StatementError

from shieldwall.model.errors import ConflictError, InputError
from shieldwall.store.sql.direct import Direct
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import alert_hits, fuse_applied, incident_history, incidents

AT = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
HISTORY = Direct(insert(incident_history), ["incident_id", "at", "actor", "action", "detail"])
OPEN = Direct(
    insert(incidents).returning(incidents.c.id),
    [
        "org_id",
        "title",
        "severity",
        "status",
        "alert_count",
        "first_seen",
        "opened_by",
        "created_at",
        "updated_at",
    ],
)
CLAIM = Direct(insert(fuse_applied), ["key", "incident_id"])
KEYS = Direct(
    select(fuse_applied.c.key, fuse_applied.c.incident_id)
    .where(fuse_applied.c.key.in_(bindparam("keys", expanding=True)))
    .order_by(fuse_applied.c.key)
)
SETTLE = Direct(
    update(fuse_applied)
    .where(fuse_applied.c.key == bindparam("b_key"))
    .values(incident_id=bindparam("b_id"))
)


def _incident(title: str = "t") -> dict[str, object]:
    return {
        "org_id": "alpha",
        "title": title,
        "severity": "low",
        "status": "new",
        "alert_count": 0,
        "first_seen": AT.astimezone(timezone(timedelta(hours=2))),
        "opened_by": title,
        "created_at": AT,
        "updated_at": AT,
    }


@pytest.fixture
def member(store: SqlStore) -> SqlStore:
    from shieldwall.model.identity import Organisation, OrgKind

    with store.transaction() as tx:
        tx.organisations.add(Organisation("alpha", "Alpha", OrgKind.NATION, "FR"))
    return store


def test_rows_read_back_as_sqlalchemy_reads_them(member: SqlStore) -> None:
    """Times (UTC, microseconds, an offset given), JSON and text round-trip alike."""
    with member.transaction() as tx:
        db = tx.connection
        direct = OPEN.first(db, _incident())
        via = db.execute(insert(incidents).returning(incidents.c.id), _incident("u")).one()
        detail = {"alert": 7, "title": "é\u2028", "nested": [1, 2.5, None]}
        HISTORY.run(
            db, {"incident_id": direct.id, "at": AT, "actor": "a", "action": "b", "detail": detail}
        )
        db.execute(
            insert(incident_history),
            {"incident_id": via.id, "at": AT, "actor": "a", "action": "b", "detail": detail},
        )
        read = Direct(select(incident_history).order_by(incident_history.c.id)).all(db)
        expected = db.execute(select(incident_history).order_by(incident_history.c.id)).all()
        raw = Direct(select(incidents.c.first_seen).order_by(incidents.c.id)).all(db)
    assert [tuple(r)[1:] for r in read] == [tuple(r)[1:] for r in expected]
    assert read[0].detail == detail and read[0].at == AT and read[0].at.tzinfo is UTC
    assert [r.first_seen for r in raw] == [AT, AT]


def test_the_database_keeps_what_sqlalchemy_would_have_stored(member: SqlStore) -> None:
    """Byte for byte on SQLite (its stored text); the same instant on PostgreSQL."""
    with member.transaction() as tx:
        db = tx.connection
        OPEN.run(db, _incident())
        db.execute(insert(incidents), _incident("u"))
        stored = db.exec_driver_sql("select first_seen, created_at from incidents").all()
    assert tuple(stored[0]) == tuple(stored[1])
    if member.engine.dialect.name == "sqlite":
        assert tuple(stored[0]) == ("2026-03-01 12:30:15.123456", "2026-03-01 12:30:15.123456")
    else:
        assert stored[0][0] == AT


def test_expanding_lists_of_any_length_and_executemany(member: SqlStore) -> None:
    with member.transaction() as tx:
        db = tx.connection
        CLAIM.many(db, [{"key": f"k{n}", "incident_id": 0} for n in range(5)])
        assert [r.key for r in KEYS.all(db, {"keys": ["k1"]})] == ["k1"]
        assert [r.key for r in KEYS.all(db, {"keys": ["k4", "k0", "zz"]})] == ["k0", "k4"]
        SETTLE.many(db, [{"b_key": "k1", "b_id": 11}, {"b_key": "k3", "b_id": 13}])
        assert SETTLE.run(db, {"b_key": "k4", "b_id": 14}) == 1
        assert SETTLE.run(db, {"b_key": "none", "b_id": 1}) == 0
        found = KEYS.all(db, {"keys": [f"k{n}" for n in range(5)]})
        with pytest.raises(ValueError, match="empty list"):
            KEYS.all(db, {"keys": []})
    assert [(r.key, r.incident_id) for r in found] == [
        ("k0", 0),
        ("k1", 11),
        ("k2", 0),
        ("k3", 13),
        ("k4", 14),
    ]


def test_same_transaction_seen_and_rolled_back(member: SqlStore) -> None:
    class BoomError(Exception):
        pass

    with pytest.raises(BoomError), member.transaction() as tx:
        CLAIM.run(tx.connection, {"key": "gone", "incident_id": 1})
        assert tx.connection.execute(select(fuse_applied.c.key)).scalars().all() == ["gone"]
        raise BoomError
    with member.reading() as tx:
        assert KEYS.all(tx.connection, {"keys": ["gone"]}) == []


def test_refusals_are_translated_as_for_sqlalchemy(member: SqlStore) -> None:
    with pytest.raises(InputError, match="NUL"), member.transaction() as tx:
        CLAIM.run(tx.connection, {"key": "a\x00b", "incident_id": 1})
    with pytest.raises(InputError, match="longer"), member.transaction() as tx:
        CLAIM.many(tx.connection, [{"key": "k" * 301, "incident_id": 1}])
    with pytest.raises(StatementError), member.transaction() as tx:
        HISTORY.run(
            tx.connection,
            {
                "incident_id": 1,
                "at": datetime(2026, 1, 1),
                "actor": "a",
                "action": "b",
                "detail": {},
            },
        )
    with pytest.raises(ConflictError), member.transaction() as tx:
        CLAIM.run(tx.connection, {"key": "twice", "incident_id": 1})
        CLAIM.run(tx.connection, {"key": "twice", "incident_id": 1})
    with pytest.raises(ConflictError), member.transaction() as tx:
        CLAIM.many(tx.connection, [{"key": "x", "incident_id": 1}] * 2)


def test_missing_values_and_python_defaults_are_refused(member: SqlStore) -> None:
    table = Table(
        "t", MetaData(), Column("a", Integer, primary_key=True), Column("b", Integer, default=3)
    )
    with member.transaction() as tx:
        with pytest.raises(KeyError, match="b_key"):
            SETTLE.run(tx.connection, {"b_id": 1})
        with pytest.raises(ValueError, match="defaults"):
            Direct(insert(table), ["a"]).run(tx.connection, {"a": 1})
        assert Direct(select(alert_hits.c.key)).all(tx.connection) == []


def test_statement_listeners_see_direct_statements(member: SqlStore) -> None:
    seen: list[tuple[str, bool]] = []

    def record(*args: object) -> None:
        seen.append((str(args[2]), bool(args[5])))

    event.listen(member.engine, "before_cursor_execute", record)
    try:
        with member.transaction() as tx:
            CLAIM.run(tx.connection, {"key": "k", "incident_id": 1})
            CLAIM.many(tx.connection, [{"key": "m", "incident_id": 1}])
    finally:
        event.remove(member.engine, "before_cursor_execute", record)
    inserts = [(sql.split(" (")[0], many) for sql, many in seen if sql.startswith("INSERT")]
    assert inserts == [("INSERT INTO fuse_applied", False), ("INSERT INTO fuse_applied", True)]

"""Schema revision 0010 on a database holding alerts of 0009: each becomes an alert
counted once, its own dedup key and hit, and keeps counting after the upgrade."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from shieldwall.model.alert import NewAlert
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

OLD_ALERT = text(
    "INSERT INTO alerts (key, org_id, rule_id, rule_title, level, tags, event_time, source,"
    " matched, event, created_at) VALUES ('alpha:7:rule', 'alpha', 'rule', 'Evil', 'high',"
    " '[]', :at, 'ingest:alpha:b#1', '{}', '{}', :at)"
)


def test_alerts_of_0009_are_counted_once_after_0010(database_url: str) -> None:
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)  # the session's PostgreSQL schema may be at head already
    migrate.downgrade(engine, "0009")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, country, sectors, status, created_at)"
                " VALUES ('alpha', 'Alpha', 'nation', 'FR', '[]', 'active', :at)"
            ),
            {"at": at},
        )
        connection.execute(OLD_ALERT, {"at": at})
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    try:
        again = NewAlert(
            key="alpha:7:rule",
            org_id="alpha",
            rule_id="rule",
            rule_title="Evil",
            level="high",
            tags=(),
            event_time=at,
            source="s",
            matched={},
            event={},
        )
        with store.transaction() as tx:
            assert tx.alerts.add([again]) == 0  # its hit is known: a redelivery
        with store.reading() as tx:
            (alert,) = tx.alerts.page(None, after=0, limit=10)
            hit = tx.alerts.hit("alpha:7:rule")
        assert (alert.count, alert.dedup_key, alert.last_seen) == (1, "alpha:7:rule", at)
        assert alert.entities.hosts == () and alert.techniques == ()
        assert hit is not None and hit.alert.seq == alert.seq
    finally:
        store.close()

"""Migrations and the empty store, on both databases.

The unit tests check drift and a downgrade on a database the session already migrated;
here the database has never seen a migration, which is how a new deployment starts.
"""

from __future__ import annotations

from sqlalchemy import inspect

from shieldwall.model.intel import PageRequest, ViewerScope
from shieldwall.store import migrate
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import metadata
from tests.contract.store.conftest import SIGNER
from tests.contract.store.values import org


def test_an_empty_database_migrates_to_head_with_exactly_the_declared_tables(
    empty_database_url: str,
) -> None:
    engine = create_sql_engine(empty_database_url)
    try:
        assert migrate.current_revision(engine) is None
        assert inspect(engine).get_table_names() == []

        migrate.upgrade(engine)

        assert migrate.current_revision(engine) == migrate.head_revision()
        assert set(inspect(engine).get_table_names()) == {*metadata.tables, "alembic_version"}
        assert migrate.drift(engine) == []
    finally:
        engine.dispose()


def test_migrating_again_changes_nothing_and_keeps_the_data(empty_database_url: str) -> None:
    engine = create_sql_engine(empty_database_url)
    store = SqlStore(engine, SIGNER)
    try:
        migrate.upgrade(engine)
        with store.transaction() as tx:
            tx.organisations.add(org())

        migrate.upgrade(engine)

        assert migrate.current_revision(engine) == migrate.head_revision()
        with store.transaction() as tx:
            assert tx.organisations.list() == [org()]
    finally:
        store.close()


def test_a_new_store_answers_and_holds_nothing(store: SqlStore) -> None:
    assert store.ping() is True
    with store.transaction() as tx:
        assert tx.organisations.list() == []
        assert tx.organisations.get("cert-fr") is None
        assert tx.people.list() == []
        assert tx.people.get_by_email("ana@cert.fr") is None
        assert tx.tokens.list() == []
        assert tx.tokens.secret_hash("t1") is None
        assert list(tx.audit.entries()) == []
        assert tx.audit.checkpoints() == []
        assert tx.audit.head() is None
        assert tx.intel.versions_of(["indicator--x"]) == {}
        assert tx.intel.page(PageRequest(ViewerScope("cert-fr"))) == []
        assert tx.intel.revocations(0, 10) == []
        assert tx.collections.list() == []
        assert tx.statuses.get("s-1") is None
        assert tx.communities.list() == []
        assert tx.feeds.list() == []

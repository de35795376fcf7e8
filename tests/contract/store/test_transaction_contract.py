"""Transactions are all or nothing, on both databases, across every repository.

A write and its audit entry commit together or not at all: an error anywhere inside
``Store.transaction()`` (the caller's own, or a constraint the database enforces at the
end) leaves no row of any repository and no sequence number used. The caller's own error
comes out unchanged; a committed write is there for the next store opened on the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shieldwall.model.credentials import ApiToken
from shieldwall.model.errors import ConflictError
from shieldwall.model.intel import Audience
from shieldwall.store.protocols import UnitOfWork
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.conftest import OpenStore
from tests.contract.store.values import (
    audit,
    collection,
    community,
    feed,
    org,
    person,
    status,
    token,
    version,
)


class CallersError(Exception):
    """An error of the caller's, raised inside a transaction."""


def _write_everywhere(tx: UnitOfWork) -> None:
    tx.organisations.add(org())
    tx.people.add(person(), "argon2-hash")
    tx.tokens.add(token(), "c" * 64)
    tx.intel.add_versions([version()])
    tx.intel.add_revocation(version().stix_id, "revoked", Audience("cert-fr", 1))
    tx.collections.add(collection())
    tx.statuses.add(status())
    tx.communities.add(community())
    tx.feeds.save(feed())
    tx.audit.append(audit())


def _assert_nothing_is_there(store: SqlStore) -> None:
    with store.transaction() as tx:
        assert tx.organisations.list() == []
        assert tx.people.list() == []
        assert tx.tokens.list() == []
        assert tx.intel.versions_of([version().stix_id]) == {}
        assert tx.intel.revocations(0, 10) == []
        assert tx.collections.list() == []
        assert tx.statuses.get(status().id) is None
        assert tx.communities.list() == []
        assert tx.feeds.list() == []
        assert list(tx.audit.entries()) == []
        assert tx.audit.head() is None


def test_the_callers_error_undoes_every_repository_and_comes_out_unchanged(
    store: SqlStore,
) -> None:
    error = CallersError("stop")
    with pytest.raises(CallersError) as caught, store.transaction() as tx:
        _write_everywhere(tx)
        raise error

    assert caught.value is error
    _assert_nothing_is_there(store)
    with store.transaction() as tx:
        (first,) = tx.intel.add_versions([version()])
        assert tx.audit.append(audit()).seq == 1
    assert first.seq == 1


def test_a_conflict_at_the_end_undoes_everything_before_it(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.organisations.add(org("centre", "Centre"))

    with pytest.raises(ConflictError), store.transaction() as tx:
        _write_everywhere(tx)
        tx.organisations.add(org("centre", "Centre again"))

    with store.transaction() as tx:
        assert tx.organisations.list() == [org("centre", "Centre")]
        assert tx.intel.versions_of([version().stix_id]) == {}
        assert list(tx.audit.entries()) == []
        assert tx.feeds.list() == []


def test_a_transaction_reads_its_own_writes(store: SqlStore) -> None:
    with store.transaction() as tx:
        _write_everywhere(tx)
        assert tx.organisations.get("cert-fr") == org()
        assert tx.people.get_by_email("ana@cert.fr") == person()
        assert tx.tokens.get("t1") == token()
        assert [row.stix_id for row in tx.intel.with_term("ipv4", "198.51.100.23", "indicator")]
        assert tx.collections.get("c-1") == collection()
        assert tx.statuses.get("s-1") == status()
        assert tx.communities.get("energy") == community()
        assert tx.feeds.get("partner") == feed()
        assert [entry.object_id for entry in tx.audit.entries()] == ["o-1"]


def test_what_is_committed_is_there_for_the_next_store(
    store: SqlStore, open_store: OpenStore
) -> None:
    with store.transaction() as tx:
        _write_everywhere(tx)
    store.close()

    with open_store().transaction() as tx:
        assert tx.organisations.list() == [org()]
        assert tx.people.password_hash("p-1") == "argon2-hash"
        assert tx.tokens.secret_hash("t1") == "c" * 64
        assert [r.stix_id for r in tx.intel.revocations(0, 10)] == [version().stix_id]
        assert tx.communities.list() == [community()]
        assert tx.feeds.list() == [feed()]
        head = tx.audit.head()
        assert head is not None and head.seq == 1


def test_updates_replace_the_stored_value(store: SqlStore) -> None:
    renamed = community(name="Energy and water")
    with store.transaction() as tx:
        _write_everywhere(tx)
    with store.transaction() as tx:
        tx.communities.update(renamed)
        tx.feeds.save(feed(runs=2))
        tx.tokens.touch("t1", datetime(2024, 4, 1, tzinfo=UTC))
    with store.transaction() as tx:
        assert tx.communities.get("energy") == renamed
        assert tx.feeds.list() == [feed(runs=2)]
        touched = tx.tokens.get("t1")
        assert touched is not None and touched.last_used_at == datetime(2024, 4, 1, tzinfo=UTC)


def test_timestamps_come_back_as_the_same_instant_in_utc_to_the_microsecond(
    store: SqlStore,
) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    issued = datetime(2024, 3, 1, 17, 30, 0, 999999, tzinfo=india)
    with store.transaction() as tx:
        _write_everywhere(tx)
        tx.tokens.add(ApiToken("t2", "p-1", "desk", issued, issued + timedelta(days=1)), "d" * 64)
    with store.transaction() as tx:
        kept = tx.tokens.get("t2")
        purged = tx.statuses.purge(status().created_at + timedelta(microseconds=1))
    assert kept is not None
    assert kept.created_at == issued and kept.created_at.tzinfo == UTC
    assert kept.created_at.microsecond == 999999
    assert purged == 1

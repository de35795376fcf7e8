"""Idempotency keys are the database's to enforce: a second insert of a key changes nothing.

Redelivery after a crash must change nothing, so each key is a unique constraint, not a
check in Python that two writers could both pass. Each test commits the first write, then
repeats the key inside a transaction that also writes elsewhere (an audit entry, a new
version): the repeat is a ``ConflictError`` and the whole transaction leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from shieldwall.model.errors import ConflictError
from shieldwall.store.protocols import UnitOfWork
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.values import (
    audit,
    collection,
    community,
    org,
    person,
    status,
    token,
    version,
)

Write = Callable[[UnitOfWork], object]
Read = Callable[[UnitOfWork], object]


def _seed(tx: UnitOfWork) -> None:
    tx.organisations.add(org())
    tx.people.add(person(), "argon2-hash")


KEYS: dict[str, tuple[Write, Write, Read]] = {
    "organisation id": (
        lambda tx: None,
        lambda tx: tx.organisations.add(org(name="Another name")),
        lambda tx: tx.organisations.list(),
    ),
    "person email": (
        lambda tx: None,
        lambda tx: tx.people.add(person("p-2"), None),
        lambda tx: tx.people.list(),
    ),
    "token id": (
        lambda tx: tx.tokens.add(token(), "a" * 64),
        lambda tx: tx.tokens.add(replace(token(), name="phone"), "b" * 64),
        lambda tx: [(t, tx.tokens.secret_hash(t.id)) for t in tx.tokens.list()],
    ),
    "token secret hash": (
        lambda tx: tx.tokens.add(token(), "a" * 64),
        lambda tx: tx.tokens.add(token("t2"), "a" * 64),
        lambda tx: tx.tokens.list(),
    ),
    "collection view": (
        lambda tx: tx.collections.add(collection()),
        lambda tx: tx.collections.add(collection("c-2")),
        lambda tx: tx.collections.list(),
    ),
    "status id": (
        lambda tx: tx.statuses.add(status()),
        lambda tx: tx.statuses.add(replace(status(), total=9)),
        lambda tx: tx.statuses.get("s-1"),
    ),
    "community id": (
        lambda tx: tx.communities.add(community()),
        lambda tx: tx.communities.add(community(name="Renamed")),
        lambda tx: tx.communities.list(),
    ),
    "intel (id, producer, version)": (
        lambda tx: tx.intel.add_versions([version()]),
        lambda tx: tx.intel.add_versions([replace(version(), body="{}")]),
        lambda tx: tx.intel.versions_of([version().stix_id]),
    ),
}


def _trail(store: SqlStore) -> tuple[object, ...]:
    """Everything a repeated transaction might have touched besides the key itself."""
    with store.transaction() as tx:
        marker = version("malware--00000000-0000-4000-8000-00000000000f")
        return (
            list(tx.audit.entries()),
            tx.audit.head(),
            tx.intel.versions_of([marker.stix_id]),
            tx.intel.revocations(0, 100),
        )


@pytest.mark.parametrize("key", list(KEYS))
def test_a_repeated_key_is_refused_by_the_database_and_changes_nothing(
    store: SqlStore, key: str
) -> None:
    first, again, read = KEYS[key]
    with store.transaction() as tx:
        _seed(tx)
        first(tx)
        tx.audit.append(audit(1))
    with store.transaction() as tx:
        before = read(tx)
    trail = _trail(store)

    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.audit.append(audit(2))
        tx.intel.add_versions([version("malware--00000000-0000-4000-8000-00000000000f")])
        again(tx)

    with store.transaction() as tx:
        assert read(tx) == before
    assert _trail(store) == trail


def test_a_refused_repeat_leaves_no_gap_in_the_sequence(store: SqlStore) -> None:
    with store.transaction() as tx:
        (kept,) = tx.intel.add_versions([version()])
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.intel.add_versions([version(month=2), version()])
    with store.transaction() as tx:
        (after,) = tx.intel.add_versions([version(month=3)])
    assert after.seq == kept.seq + 1
    assert after.date_added > kept.date_added


def test_a_batch_repeating_a_key_stores_none_of_the_batch(store: SqlStore) -> None:
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.intel.add_versions([version(month=1), version(month=2), version(month=1)])
    with store.transaction() as tx:
        assert tx.intel.versions_of([version().stix_id]) == {}


def test_the_same_id_and_version_from_another_producer_is_another_key(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.intel.add_versions([version()])
    with store.transaction() as tx:
        tx.intel.add_versions([version(producer="cert-de")])
        rows = tx.intel.versions_of([version().stix_id])[version().stix_id]
    assert sorted(row.audience.producer_org_id for row in rows) == ["cert-de", "cert-fr"]
    assert all(row.is_latest and row.is_first for row in rows)

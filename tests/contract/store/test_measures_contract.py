"""Protective measures on both databases: the idempotency key and the version number are
enforced by the database, values round-trip exactly, current means not withdrawn and not
expired, and allow-lists hold the coalition's entries beside each member's."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from shieldwall.model.errors import ConflictError
from shieldwall.model.measures import (
    AllowEntry,
    ListVersion,
    Measure,
    MeasureFormat,
    MeasureKind,
    Subscription,
)
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.conftest import OpenStore
from tests.contract.store.values import T0, org


def measure(ident: str, key: str, value: str = "192.0.2.1", days: int = 1) -> Measure:
    return Measure(
        id=ident,
        key=key,
        org_id="cert-fr",
        issued_by="p-1",
        kind=MeasureKind.IP,
        value=value,
        reason="c2 ‘server’",
        valid_until=T0 + timedelta(days=days),
        created_at=T0,
        confidence=70,
        tlp="amber",
        community_ids=frozenset({"energy"}),
        recipient_org_ids=frozenset({"cert-fr", "cert-de"}),
    )


@pytest.fixture
def seeded(store: SqlStore) -> SqlStore:
    with store.transaction() as tx:
        tx.organisations.add(org())
        tx.organisations.add(org("cert-de", "CERT-DE"))
    return store


def test_a_measure_round_trips_and_its_key_is_unique(seeded: SqlStore) -> None:
    first = measure("m-1", "cert-fr:k")
    with seeded.transaction() as tx:
        tx.measures.add(first)
    with seeded.reading() as tx:
        assert tx.measures.get("m-1") == first
        assert tx.measures.by_key("cert-fr:k") == first
    with pytest.raises(ConflictError), seeded.transaction() as tx:
        tx.measures.add(measure("m-2", "cert-fr:k", "192.0.2.2"))
    with seeded.reading() as tx:
        assert [m.id for m in tx.measures.list()] == ["m-1"]


def test_current_means_neither_withdrawn_nor_expired(seeded: SqlStore) -> None:
    with seeded.transaction() as tx:
        tx.measures.add(measure("m-1", "a", days=1))
        tx.measures.add(measure("m-2", "b", days=5))
        tx.measures.add(measure("m-3", "c", days=5))
        assert tx.measures.withdraw("m-3", T0, "p-1", "false positive")
        assert not tx.measures.withdraw("m-3", T0, "p-1", "again")
    with seeded.reading() as tx:
        assert [m.id for m in tx.measures.list(current_at=T0)] == ["m-1", "m-2"]
        assert [m.id for m in tx.measures.list(current_at=T0 + timedelta(days=2))] == ["m-2"]
        withdrawn = tx.measures.get("m-3")
    assert withdrawn is not None and withdrawn.withdraw_reason == "false positive"


def test_two_writers_of_one_version_number_leave_one(
    open_store: OpenStore, seeded: SqlStore
) -> None:
    stores = [open_store(), open_store()]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def write(store: SqlStore, digest: str) -> None:
        barrier.wait()
        try:
            with store.transaction() as tx:
                tx.measures.add_version(ListVersion("cert-fr", "default", 1, digest, T0, {"ip": 1}))
            outcomes.append("stored")
        except ConflictError:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=write, args=(s, d)) for s, d in zip(stores, "ab", strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "stored"]
    with seeded.reading() as tx:
        latest = tx.measures.latest_version("cert-fr", "default")
    assert latest is not None and latest.version == 1 and latest.counts == {"ip": 1}


def test_subscriptions_and_allow_lists(seeded: SqlStore) -> None:
    sub = Subscription(
        "cert-fr",
        "edge",
        frozenset({MeasureKind.IP}),
        frozenset({MeasureFormat.NFTABLES}),
        60,
        False,
        T0,
    )
    coalition = AllowEntry("e-1", None, MeasureKind.IP, "9.9.9.9", "resolver", "op", T0)
    own = AllowEntry("e-2", "cert-fr", MeasureKind.DOMAIN, "cert.fr", "", "op", T0)
    with seeded.transaction() as tx:
        tx.measures.subscribe(sub)
        tx.measures.subscribe(sub)  # replaced, not doubled
        tx.measures.allow(coalition)
        tx.measures.allow(own)
    with seeded.reading() as tx:
        assert tx.measures.subscriptions("cert-fr") == [sub]
        assert tx.measures.allowed(None) == [coalition]
        assert set(tx.measures.allowed("cert-fr")) == {coalition, own}
        assert tx.measures.allowed("cert-de") == [coalition]
        assert tx.measures.allow_entry("e-2") == own
    with pytest.raises(ConflictError), seeded.transaction() as tx:
        tx.measures.allow(AllowEntry("e-3", None, MeasureKind.IP, "9.9.9.9", "", "op", T0))
    with seeded.transaction() as tx:
        assert tx.measures.unsubscribe("cert-fr", "edge") and tx.measures.disallow("e-2")
        assert not tx.measures.unsubscribe("cert-fr", "edge")

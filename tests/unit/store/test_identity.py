"""Organisation, person and token repositories on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.model.credentials import ApiToken
from shieldwall.model.errors import ConflictError, NotFoundError
from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Role
from shieldwall.store.sql.store import SqlStore

CENTRE = Organisation("centre", "Centre", OrgKind.CENTRE, "BE")
CERT = Organisation("cert-fr", "CERT-FR", OrgKind.NATION, "FR", ("government",))
CLIENT = Organisation("grid-fr", "Grid", OrgKind.CIVIL, "FR", ("energy",), parent_id="cert-fr")


def _seed(store: SqlStore) -> None:
    with store.transaction() as tx:
        for org in (CENTRE, CERT, CLIENT):
            tx.organisations.add(org)


def test_organisations_round_trip(store: SqlStore) -> None:
    _seed(store)
    with store.transaction() as tx:
        assert tx.organisations.get("grid-fr") == CLIENT
        assert [org.id for org in tx.organisations.list()] == ["centre", "cert-fr", "grid-fr"]
        assert tx.organisations.clients_of("cert-fr") == ["grid-fr"]


def test_status_change_and_missing_org(store: SqlStore) -> None:
    _seed(store)
    with store.transaction() as tx:
        tx.organisations.set_status("cert-fr", OrgStatus.SUSPENDED)
    with store.transaction() as tx:
        found = tx.organisations.get("cert-fr")
        assert found is not None
        assert not found.active
    with pytest.raises(NotFoundError), store.transaction() as tx:
        tx.organisations.set_status("nobody", OrgStatus.SUSPENDED)


def test_duplicate_is_a_conflict_and_nothing_is_half_written(store: SqlStore) -> None:
    _seed(store)
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.organisations.add(Organisation("new-org", "New", OrgKind.CIVIL, "DE"))
        tx.organisations.add(CERT)
    with store.transaction() as tx:
        assert tx.organisations.get("new-org") is None


def test_unknown_parent_is_refused(store: SqlStore) -> None:
    orphan = Organisation("orphan", "O", OrgKind.CIVIL, "DE", parent_id="ghost")
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.organisations.add(orphan)


def test_people_and_tokens(store: SqlStore) -> None:
    _seed(store)
    now = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    person = Person("p1", "cert-fr", "Ana", "ana@cert.fr", Role.ANALYST, created_at=now)
    token = ApiToken("t1", "p1", "laptop", now, now + timedelta(days=1))
    with store.transaction() as tx:
        tx.people.add(person, "argon-hash")
        tx.tokens.add(token, "f" * 64)
    with store.transaction() as tx:
        assert tx.people.get("p1") == person
        assert tx.people.get_by_email("ana@cert.fr") == person
        assert tx.people.password_hash("p1") == "argon-hash"
        assert [p.id for p in tx.people.list("cert-fr")] == ["p1"]
        assert tx.people.list("centre") == []
        assert tx.tokens.get("t1") == token
        assert tx.tokens.secret_hash("t1") == "f" * 64
        tx.tokens.revoke("t1", now)
    with store.transaction() as tx:
        revoked = tx.tokens.get("t1")
        assert revoked is not None
        assert revoked.revoked_at == now
        assert not revoked.usable_at(now)
        with pytest.raises(NotFoundError):
            tx.tokens.revoke("absent", now)


def test_timestamps_keep_microseconds_and_utc(store: SqlStore) -> None:
    _seed(store)
    stamp = datetime(2026, 3, 1, 8, 30, 1, 999999, tzinfo=UTC)
    with store.transaction() as tx:
        tx.people.add(Person("p2", "centre", "B", "b@c.eu", Role.ADMIN, created_at=stamp), None)
    with store.transaction() as tx:
        stored = tx.people.get("p2")
    assert stored is not None
    assert stored.created_at == stamp
    assert stored.created_at is not None
    assert stored.created_at.tzinfo is not None

"""One person per e-mail address however it is spelt: creation, login, lookup, the database.

Issue 9 (low): case variants of an e-mail could be created as separate people. The class:
two spellings of one address (case, Unicode compatibility forms, white space) acting as
two identities anywhere. Each path is tested with spellings Hypothesis draws, and the
database's own guarantee with a write that bypasses the code.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.access.throttle import LoginThrottle, ThrottlePolicy
from shieldwall.model.emails import email_key
from shieldwall.model.errors import ConflictError, InputError, RateLimitedError
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from tests.unit.model.test_emails import addresses, spellings

SIGNER = Signer.generate()
PASSWORD = "a long password!"
counter = itertools.count()


def _open(url: str) -> SqlStore:
    engine = create_sql_engine(url)
    migrate.upgrade(engine, signer=SIGNER)
    store = SqlStore(engine, SIGNER)
    if _org_missing(store):
        accounts.add_organisation(store, OPERATOR, Organisation("alpha", "A", OrgKind.NATION, "FR"))
    return store


def _org_missing(store: SqlStore) -> bool:
    with store.reading() as tx:
        return tx.organisations.get("alpha") is None


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = _open(database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """One SQLite store for the Hypothesis examples (each uses addresses of its own)."""
    opened = _open(f"sqlite:///{tmp_path_factory.mktemp('emails') / 'e.db'}")
    yield opened
    opened.close()


def _person(email: str, role: Role = Role.ANALYST) -> Person:
    return Person("", "alpha", "Pat", email, role)


def _fresh(address: str) -> str:
    """The address made unique to this example (the shared store outlives examples)."""
    local, domain = address.split("@")
    return f"{local}.{next(counter)}@{domain}"


EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(data=st.data(), address=addresses)
@EXAMPLES
def test_a_spelling_of_an_existing_address_is_refused(
    shared: SqlStore, data: st.DataObject, address: str
) -> None:
    address = _fresh(address)
    first = accounts.add_person(shared, OPERATOR, _person(address))
    variant = data.draw(spellings(address))
    with pytest.raises(ConflictError):
        accounts.add_person(shared, OPERATOR, _person(variant))
    with shared.reading() as tx:
        found = tx.people.get_by_email(data.draw(spellings(address)))
    assert found is not None and found.id == first.id


@given(data=st.data(), address=addresses)
@EXAMPLES
def test_the_throttle_counts_every_spelling_as_one_account(
    shared: SqlStore, data: st.DataObject, address: str
) -> None:
    throttle = LoginThrottle(ThrottlePolicy(per_account=2, per_address=0))
    address = _fresh(address)
    throttle.admit(shared, data.draw(spellings(address)), None)
    throttle.admit(shared, data.draw(spellings(address)), None)
    with pytest.raises(RateLimitedError):
        throttle.admit(shared, data.draw(spellings(address)), None)


@pytest.mark.parametrize(
    "spelling", ["PAT@ALPHA.EXAMPLE", " Pat@Alpha.Example ", "ｐａｔ＠ａｌｐｈａ．ｅｘａｍｐｌｅ"]
)
def test_login_with_any_spelling_is_the_same_person(store: SqlStore, spelling: str) -> None:
    person = accounts.add_person(store, OPERATOR, _person("pat@alpha.example"), PASSWORD)
    issued = accounts.login(store, spelling, PASSWORD)
    assert issued.token.person_id == person.id


def test_the_address_is_kept_as_given(store: SqlStore) -> None:
    stored = accounts.add_person(store, OPERATOR, _person("Pat.Smith@Alpha.example"))
    with store.reading() as tx:
        again = tx.people.get(stored.id)
    assert again is not None and again.email == "Pat.Smith@Alpha.example"


def test_the_database_refuses_a_second_row_for_one_key(store: SqlStore) -> None:
    """A write that bypasses the code still cannot make two people of one address."""
    accounts.add_person(store, OPERATOR, _person("pat@alpha.example"))
    row = {
        "id": "intruder",
        "org_id": "alpha",
        "name": "X",
        "email": "PAT@alpha.example",
        "email_key": email_key("PAT@alpha.example"),
        "role": "analyst",
        "active": True,
        "created_at": datetime.now(UTC),
    }
    with pytest.raises(IntegrityError), store.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO people (id, org_id, name, email, email_key, role, active, created_at)"
                " VALUES (:id, :org_id, :name, :email, :email_key, :role, :active, :created_at)"
            ),
            row,
        )


def test_an_address_too_long_once_normalised_is_refused(store: SqlStore) -> None:
    expanding = "\ufdfa" * 20 + "@alpha.example"  # one character, eighteen once folded
    with pytest.raises(InputError, match="email"):
        accounts.add_person(store, OPERATOR, _person(expanding))


@pytest.fixture
def old_engine(database_url: str) -> Iterator[Engine]:
    """A database at revision 0007, before the key existed."""
    engine = create_sql_engine(database_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0007")
    yield engine
    migrate.upgrade(engine)
    engine.dispose()


def test_spellings_created_before_the_key_existed_are_kept_apart(old_engine: Engine) -> None:
    insert = text(
        "INSERT INTO people (id, org_id, name, email, role, active, created_at)"
        " VALUES (:id, 'alpha', 'P', :email, 'analyst', :active, :at)"
    )
    with old_engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO organisations (id, name, kind, country, sectors, status, created_at)"
                " VALUES ('alpha', 'A', 'nation', 'FR', '[]', 'active', :at)"
            ),
            {"at": datetime(2025, 1, 1)},
        )
        for number, email in enumerate(["pat@alpha.example", "Pat@Alpha.example"]):
            db.execute(
                insert,
                {
                    "id": f"p{number}",
                    "email": email,
                    "active": True,
                    "at": datetime(2025, 1, 2 + number),
                },
            )
    migrate.upgrade(old_engine, signer=SIGNER)
    store = SqlStore(old_engine, SIGNER)
    with store.reading() as tx:
        found = tx.people.get_by_email("PAT@ALPHA.EXAMPLE")
        keys = dict(
            tx.connection.execute(text("SELECT id, email_key FROM people ORDER BY id")).all()
        )
    assert found is not None and found.id == "p0"  # the oldest keeps the address
    assert keys == {"p0": "pat@alpha.example", "p1": "dup:p1:pat@alpha.example"}

"""A migrated store on SQLite and on PostgreSQL, with a centre and four members.

``open_store`` opens as many stores on the same database as a test asks (a second one is
what a restarted process sees); all are closed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.model.identity import Organisation, OrgKind, Principal, Role
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

SIGNER = Signer.generate()
MEMBERS = ("alpha", "bravo", "charlie", "delta")
OpenStore = Callable[[], SqlStore]


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_store(database_url: str, clock: Clock) -> Iterator[OpenStore]:
    opened: list[SqlStore] = []

    def open_one() -> SqlStore:
        engine = create_sql_engine(database_url)
        migrate.upgrade(engine)
        opened.append(SqlStore(engine, SIGNER, clock=clock))
        return opened[-1]

    first = open_one()
    with first.transaction() as tx:
        tx.organisations.add(Organisation("hq", "Centre", OrgKind.CENTRE, "BE"))
        for member in MEMBERS:
            tx.organisations.add(Organisation(member, member.title(), OrgKind.NATION, "FR"))
    yield open_one
    for store in opened:
        store.close()


def lead(org: str) -> Principal:
    kind = OrgKind.CENTRE if org == "hq" else OrgKind.NATION
    return Principal(f"lead-{org}", org, Role.LEAD, kind)


def analyst(org: str) -> Principal:
    kind = OrgKind.CENTRE if org == "hq" else OrgKind.NATION
    return Principal(f"analyst-{org}", org, Role.ANALYST, kind)

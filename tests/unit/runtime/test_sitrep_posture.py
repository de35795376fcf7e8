"""The SITREP's threat level: the member's own level at the end of the period and before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shieldwall.model.posture import Level, ScopeKind
from shieldwall.model.sharing import TlpLevel
from shieldwall.runtime.reports import PostureHistory
from shieldwall.store.sql.store import SqlStore
from tests.unit.share.intel_world import open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def _change(store: SqlStore, key: str, level: int) -> None:
    with store.transaction() as tx:
        previous = next((e for e in tx.posture.current() if e.key == key), None)
        tx.posture.change(Level(kind=ScopeKind.MEMBER, key=key, level=level, score=1.0), previous)


def test_the_level_in_force_at_each_end_of_the_period(store: SqlStore) -> None:
    source = PostureHistory(store, page=1)  # pages of one: the history is read to its end
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert source.reading("alpha", before, before) is None  # never computed yet
    _change(store, "alpha", 2)
    middle = datetime.now(UTC)
    _change(store, "alpha", 4)
    _change(store, "bravo", 5)
    later = datetime.now(UTC) + timedelta(seconds=1)
    reading = source.reading("alpha", middle, later)
    assert reading is not None and reading.tlp is TlpLevel.AMBER_STRICT
    assert (reading.now.value, reading.now.name) == (4, "high")
    assert reading.before is not None and reading.before.value == 2
    opened = source.reading("alpha", before, later)
    assert opened is not None and opened.before is None and opened.now.value == 4
    assert source.reading("charlie", before, later) is None  # another member's is not read


def test_measures_of_the_period_as_the_recipient_may_see_them(store: SqlStore) -> None:
    """alpha (a lead) issues one block to everyone and one to bravo only: charlie's report
    names the first and never the second; outside the period neither."""
    from shieldwall.model.identity import OrgKind, Principal, Role
    from shieldwall.respond import IssueRequest
    from shieldwall.runtime.measures import measure_desk
    from shieldwall.runtime.reports import IssuedMeasures, StoreOrganisations
    from shieldwall.store.audit.signing import Signer

    desk = measure_desk(store, Signer.generate())
    lead = Principal("p-alpha", "alpha", Role.LEAD, OrgKind.NATION, "FR", ("government",))
    until = datetime.now(UTC) + timedelta(days=1)
    start = datetime.now(UTC) - timedelta(seconds=1)
    desk.issue(lead, IssueRequest("ip", "192.0.2.10", "c2", until), "k-open")
    only = IssueRequest(
        "domain", "bad.example", "c2", until, tlp="amber+strict", members=frozenset({"bravo"})
    )  # AMBER would reach charlie: a client of alpha
    desk.issue(lead, only, "k-bravo")
    end = datetime.now(UTC) + timedelta(seconds=1)
    source = IssuedMeasures(desk, StoreOrganisations(store))
    charlie = source.issued("charlie", start, end)
    assert [m.title for m in charlie] == ["ip 192.0.2.10 (c2)"]
    assert charlie[0].tlp is TlpLevel.GREEN
    bravo = sorted(m.title for m in source.issued("bravo", start, end))
    assert bravo == ["domain bad.example (c2)", "ip 192.0.2.10 (c2)"]
    assert source.issued("charlie", end, end + timedelta(hours=1)) == []
    assert source.issued("nobody", start, end) == []

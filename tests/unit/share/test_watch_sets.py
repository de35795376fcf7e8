"""Every member's watchlist from one read: what an export for each member would select.

:func:`watch_sets` reads the indicators once without the SQL prefilter and asks each
member's reader; these tests hold it to :func:`select_for` through the watchlist channel
(the per-member read it replaces) over every level, addressing and state, on both
databases.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shieldwall.detect.watchlist import WatchEntry
from shieldwall.model.intel import IntelQuery
from shieldwall.share import watch_sets
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.export import select_for
from shieldwall.share.intel.watch import WATCH_CHANNEL, end_of, entries_of, is_current
from shieldwall.store.sql.store import SqlStore
from tests.unit.share.intel_world import ORGS, Session, indicator, open_store, recent

NOW = datetime.now(UTC)
MEMBERS = [org.id for org in ORGS]
ADDRESSINGS = (
    Addressing(),
    Addressing(recipient_org_ids=frozenset({"bravo"})),
    Addressing(community_ids=frozenset({"energy"})),
    Addressing(releasable_to=frozenset({"DE"})),
    Addressing(recipient_person_ids=frozenset({"p-bravo"})),
)


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[SqlStore]:
    opened = open_store(tmp_path, database_url)
    yield opened
    opened.close()


def publish_everything(store: SqlStore) -> list[str]:
    """Each producer, level (unmarked too) and addressing; some expired, revoked, decayed
    or narrowed by a newer version (no sightings: decay is the same for every member).
    The ids published."""
    ids = []
    levels = ("clear", "green", "amber", "strict", "red", None)
    for n, (org, tlp, addressing) in enumerate(itertools.product(MEMBERS, levels, ADDRESSINGS)):
        extra: dict[str, object] = {}
        if n % 7 == 3:
            extra["valid_until"] = "2026-01-01T00:00:00Z"  # passed at NOW
        if n % 7 == 5:
            extra["revoked"] = True
        if n % 5 != 2:  # the others decayed long ago
            extra["modified"] = recent(2, NOW)
        obj = indicator(org, tlp=tlp, value=f"10.1.{n // 256}.{n % 256}", **extra)
        result = Session(store, f"p-{org}").publish([obj], addressing)
        assert not result.failures, result.failures
        if n % 11 == 4:  # a newer version, narrowed to its producer's recipients
            newer = {**obj, "modified": recent(1, NOW)}
            narrowed = Addressing(recipient_org_ids=frozenset({org}))
            assert not Session(store, f"p-{org}").publish([newer], narrowed).failures
        ids.append(str(obj["id"]))
    return ids


def exported(store: SqlStore, member: str, ids: list[str] | None = None) -> list[WatchEntry]:
    """The entries of what an export for the member selects through the watchlist channel."""
    query = IntelQuery(ids=tuple(sorted(ids or ())), types=("indicator",))
    with store.transaction() as tx:
        selection = select_for(tx, member, query, channel=WATCH_CHANNEL)
    return [
        entry
        for i in selection.items
        if is_current(i.obj, NOW) and end_of(i.obj, i.version, (), NOW) is not None
        for entry in entries_of(i.obj)
    ]


@pytest.mark.parametrize("narrowed", [False, True])
def test_each_member_gets_what_its_export_would_select(store: SqlStore, narrowed: bool) -> None:
    ids = publish_everything(store)
    chosen = ids[::3] if narrowed else None
    found = watch_sets(store, MEMBERS, NOW, ids=chosen)
    for member in MEMBERS:
        expected = exported(store, member, chosen)
        assert sorted(found[member].entries, key=repr) == sorted(expected, key=repr), member
    assert found["alpha"].entries != found["bravo"].entries  # the gate chose differently


def test_no_ids_reads_nothing_and_each_member_is_audited(store: SqlStore) -> None:
    secret = indicator("alpha", tlp="strict", value="10.6.6.6", modified=recent(1, NOW))
    Session(store, "p-alpha").publish([secret])
    assert all(not found.entries for found in watch_sets(store, MEMBERS, NOW, ids=()).values())
    with store.transaction() as tx:
        before = len(list(tx.audit.entries()))
    found = watch_sets(store, MEMBERS, NOW)
    assert [e.value for e in found["alpha"].entries] == ["10.6.6.6"]
    assert not found["bravo"].entries and not found["charlie"].entries
    with store.transaction() as tx:
        audited = list(tx.audit.entries())[before:]
    assert [(e.action, e.org_id) for e in audited] == [("intel.read-restricted", "alpha")]


def test_the_store_gives_newest_versions_of_the_type_only(store: SqlStore) -> None:
    """``latest_of`` checks the type itself (the query leaves it out, see its docstring)."""
    old = indicator("alpha", value="10.7.7.7")
    newer = {**old, "modified": recent(1, NOW)}
    Session(store, "p-alpha").publish([old])
    Session(store, "p-alpha").publish([newer])
    note = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--7a0b0f6c-4b8f-5f63-9a4d-0d7a1f0c2b11",
        "value": "10.7.7.8",
    }
    assert not Session(store, "p-alpha").publish([note]).failures
    with store.reading() as tx:
        found = tx.intel.latest_of("indicator", [old["id"], note["id"], "indicator--none"])
        page = tx.intel.latest_page("indicator", 0, 10)
    assert [(v.stix_id, v.is_latest) for v in found] == [(old["id"], True)]
    assert [v.seq for v in page] == [v.seq for v in found]

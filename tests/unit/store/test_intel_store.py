"""The intelligence repository on SQLite and PostgreSQL: sequence, versions, prefilter."""

from __future__ import annotations

from datetime import UTC, datetime

from shieldwall.model.intel import (
    Audience,
    IndexTerm,
    IntelQuery,
    NewVersion,
    PageRequest,
    VersionSelector,
    ViewerScope,
)
from shieldwall.store.sql.store import SqlStore

ALL = frozenset({VersionSelector.ALL})


def _version(
    ident: str,
    month: int,
    *,
    tlp: int | None = 1,
    producer: str = "alpha",
    recipients: frozenset[str] = frozenset(),
) -> NewVersion:
    return NewVersion(
        stix_id=ident,
        stix_type="indicator",
        version=datetime(2024, month, 1, tzinfo=UTC),
        spec_version="2.1",
        audience=Audience(producer, tlp, recipient_org_ids=recipients),
        body=f'{{"id":"{ident}","m":{month}}}',
        refs=("identity--x",),
        terms=(IndexTerm("ip", "10.0.0.1/32", "40a000001", "40a000001"),),
    )


def _page(store: SqlStore, viewer: ViewerScope, query: IntelQuery) -> list[tuple[str, int]]:
    with store.transaction() as tx:
        rows = tx.intel.page(PageRequest(viewer, query, limit=100))
    return [(row.stix_id, row.version.month) for row in rows]


def test_sequence_and_date_added_strictly_increase(store: SqlStore) -> None:
    with store.transaction() as tx:
        first = tx.intel.add_versions([_version("indicator--a", 1), _version("indicator--b", 1)])
    with store.transaction() as tx:
        second = tx.intel.add_versions([_version("indicator--c", 1)])
    rows = [*first, *second]
    assert [r.seq for r in rows] == sorted({r.seq for r in rows})
    added = [r.date_added for r in rows]
    assert added == sorted(added) and len(set(added)) == 3


def test_latest_and_first_flags_follow_versions_in_any_order(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.intel.add_versions([_version("indicator--a", 2), _version("indicator--a", 3)])
    with store.transaction() as tx:
        tx.intel.add_versions([_version("indicator--a", 1)])
    me = ViewerScope("alpha")
    assert _page(store, me, IntelQuery()) == [("indicator--a", 3)]
    first = IntelQuery(versions=frozenset({VersionSelector.FIRST}))
    assert _page(store, me, first) == [("indicator--a", 1)]
    assert sorted(m for _, m in _page(store, me, IntelQuery(versions=ALL))) == [1, 2, 3]
    with store.transaction() as tx:
        (latest,) = tx.intel.page(PageRequest(me, IntelQuery(), limit=1))
        tx.intel.delete_versions([latest.seq])
    assert _page(store, me, IntelQuery()) == [("indicator--a", 2)]


def test_prefilter_follows_levels_recipients_and_terms(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.intel.add_versions(
            [
                _version("indicator--green", 1, tlp=1),
                _version("indicator--strict", 1, tlp=3),
                _version("indicator--to-bravo", 1, tlp=3, recipients=frozenset({"bravo"})),
            ]
        )
    bravo = ViewerScope("bravo", person_id="p")
    assert {i for i, _ in _page(store, bravo, IntelQuery())} == {
        "indicator--green",
        "indicator--to-bravo",
    }
    assert _page(store, ViewerScope(None), IntelQuery()) == []
    assert _page(store, ViewerScope("bravo", blocked=True), IntelQuery()) == []
    covering = IntelQuery(terms=(IndexTerm("ip", "10.0.0.0/8", "40a000000", "40affffff"),))
    assert len(_page(store, bravo, covering)) == 2
    outside = IntelQuery(terms=(IndexTerm("ip", "11.0.0.0/8", "40b000000", "40bffffff"),))
    assert _page(store, bravo, outside) == []


def test_the_change_number_of_a_type_and_what_changed_since(store: SqlStore) -> None:
    with store.transaction() as tx:
        assert tx.intel.last_seq("indicator") == 0
        (first,) = tx.intel.add_versions([_version("indicator--a", 1)])
        other = NewVersion("sighting--s", "sighting", None, "2.1", Audience("alpha", 1), "{}")
        tx.intel.add_versions([other])
    with store.transaction() as tx:
        assert tx.intel.last_seq("indicator") == first.seq  # a sighting does not count
        assert tx.intel.changed_since("indicator", 0) == {"indicator--a"}
        assert tx.intel.changed_since("indicator", first.seq) == set()
        tx.intel.delete_versions([first.seq])
        revoked = tx.intel.add_revocation("indicator--a", "deleted", Audience("alpha", 1))
    with store.transaction() as tx:
        assert tx.intel.last_seq("indicator") == revoked.seq
        assert tx.intel.changed_since("indicator", first.seq) == {"indicator--a"}

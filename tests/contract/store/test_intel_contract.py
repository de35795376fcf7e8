"""The intelligence repository on both databases: versions, flags, terms, pages, revocations.

A property test stores random batches (several producers per id, versions in any order,
versions left to the store, every audience field, any text) and reads them back field by
field; the example tests pin the rest of what ``IntelRepository`` promises.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shieldwall.model.intel import (
    Audience,
    IntelQuery,
    NewVersion,
    PageRequest,
    StoredVersion,
    VersionSelector,
    ViewerScope,
)
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import intel_objects, intel_sequence, intel_terms
from tests.contract.store.values import version

ALL = IntelQuery(versions=frozenset({VersionSelector.ALL}))
SLUGS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=200)
ZONES = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
MOMENTS = st.datetimes(datetime(1970, 1, 2), datetime(2200, 1, 1), timezones=ZONES)
STIX_TYPES = st.sampled_from(["indicator", "malware", "x-" + "long-custom-type-name" * 2])


def audiences(producer: str) -> st.SearchStrategy[Audience]:
    marking = st.uuids().map(lambda u: f"marking-definition--{u}")
    return st.builds(
        Audience,
        st.just(producer),
        st.none() | st.integers(0, 4),
        st.lists(marking, max_size=2, unique=True).map(lambda refs: tuple(sorted(refs))),
        recipient_org_ids=st.frozensets(SLUGS, max_size=3),
        recipient_person_ids=st.frozensets(st.uuids().map(str), max_size=2),
        community_ids=st.frozensets(SLUGS, max_size=2),
        releasable_to=st.none()
        | st.frozensets(st.sampled_from(["FR", "DE", "NL", "BE"]), max_size=2),
    )


@st.composite
def batches(draw: st.DrawFn) -> list[NewVersion]:
    """Versions of one to three new ids, each held by one or two producers, in any order."""
    out: list[NewVersion] = []
    for _ in range(draw(st.integers(1, 3))):
        stix_type = draw(STIX_TYPES)
        stix_id = f"{stix_type}--{draw(st.uuids())}"
        moments = draw(st.lists(st.none() | MOMENTS, min_size=1, max_size=3, unique_by=_instant))
        for producer in draw(st.lists(SLUGS, min_size=1, max_size=2, unique=True)):
            audience = draw(audiences(producer))
            refs = tuple(draw(st.lists(st.uuids().map(lambda u: f"identity--{u}"), max_size=3)))
            for moment in moments:
                body = draw(TEXT)
                out.append(NewVersion(stix_id, stix_type, moment, "2.1", audience, body, refs))
    return list(draw(st.permutations(out)))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(given_versions=batches())
def test_versions_read_back_field_by_field_with_flags_per_producer(
    store: SqlStore, given_versions: list[NewVersion]
) -> None:
    with store.engine.begin() as connection:  # examples share the database: start afresh
        for table in (intel_terms, intel_objects, intel_sequence):
            connection.execute(table.delete())
    with store.transaction() as tx:
        stored = list(tx.intel.add_versions(given_versions))
    ids = {v.stix_id for v in given_versions}
    with store.transaction() as tx:
        found = tx.intel.versions_of(ids)
        latest = tx.intel.latest_audiences(ids)

    for new, kept in zip(given_versions, stored, strict=True):
        assert (kept.stix_id, kept.stix_type, kept.spec_version) == (
            new.stix_id,
            new.stix_type,
            new.spec_version,
        )
        assert kept.version == (new.version or kept.date_added)
        assert (kept.audience, kept.body, kept.refs) == (new.audience, new.body, new.refs)
    assert [k.seq for k in stored] == sorted({k.seq for k in stored})
    assert [k.date_added for k in stored] == sorted({k.date_added for k in stored})
    read = [row for rows in found.values() for row in rows]
    assert sorted(read, key=_seq) == sorted(stored, key=_seq)
    assert all(rows == sorted(rows, key=lambda row: row.version) for rows in found.values())
    assert {(row.version.tzinfo, row.date_added.tzinfo) for row in read} == {(UTC, UTC)}
    _assert_one_latest_and_one_first_per_producer(stored)
    for stix_id in ids:
        held = {k.audience for k in stored if k.stix_id == stix_id}
        assert sorted(latest[stix_id], key=repr) == sorted(held, key=repr)


def _seq(row: StoredVersion) -> int:
    return row.seq


def _instant(moment: datetime | None) -> datetime | None:
    return moment and moment.astimezone(UTC)


def _assert_one_latest_and_one_first_per_producer(stored: list[StoredVersion]) -> None:
    groups: dict[tuple[str, str], list[StoredVersion]] = defaultdict(list)
    for row in stored:
        groups[(row.stix_id, row.audience.producer_org_id)].append(row)
    for rows in groups.values():
        newest = max(rows, key=lambda row: row.version)
        oldest = min(rows, key=lambda row: row.version)
        assert [row.seq for row in rows if row.is_latest] == [newest.seq]
        assert [row.seq for row in rows if row.is_first] == [oldest.seq]


def test_set_audience_changes_every_version_of_that_producer_only(store: SqlStore) -> None:
    mine = [version(month=m) for m in (1, 2)]
    theirs = version(month=1, producer="cert-de")
    with store.transaction() as tx:
        tx.intel.add_versions([*mine, theirs])
        tx.intel.set_audience(
            mine[0].stix_id, Audience("cert-fr", 4, recipient_person_ids=frozenset({"p"}))
        )
    with store.transaction() as tx:
        rows = tx.intel.versions_of([mine[0].stix_id])[mine[0].stix_id]
    assert sorted((r.audience.producer_org_id, r.audience.tlp) for r in rows) == [
        ("cert-de", 1),
        ("cert-fr", 4),
        ("cert-fr", 4),
    ]


def test_terms_find_latest_versions_and_leave_with_a_deleted_version(store: SqlStore) -> None:
    other = "malware--00000000-0000-4000-8000-000000000002"
    with store.transaction() as tx:
        first, second = tx.intel.add_versions([version(month=1), version(month=2)])
        tx.intel.add_versions([version(other, term="203.0.113.9")])
    with store.transaction() as tx:
        found = tx.intel.with_terms("ipv4", ["198.51.100.23", "203.0.113.9"], "indicator")
        tx.intel.delete_versions([second.seq])
    assert {value: [r.seq for r in rows] for value, rows in found.items()} == {
        "198.51.100.23": [second.seq]
    }
    with store.transaction() as tx:
        assert [r.seq for r in tx.intel.with_term("ipv4", "198.51.100.23", "indicator")] == [
            first.seq
        ]
        orphans = tx.connection.execute(
            select(func.count()).select_from(intel_terms).where(intel_terms.c.seq == second.seq)
        ).scalar()
    assert orphans == 0


def test_keyset_pages_give_every_row_once_in_sequence_order(store: SqlStore) -> None:
    ids = [f"indicator--00000000-0000-4000-8000-00000000010{n}" for n in range(7)]
    with store.transaction() as tx:
        stored = tx.intel.add_versions([version(stix_id) for stix_id in ids])
    seen: list[int] = []
    after = 0
    while True:
        with store.transaction() as tx:
            page = tx.intel.page(PageRequest(ViewerScope("cert-fr"), ALL, after_seq=after, limit=3))
        if not page:
            break
        assert len(page) <= 3
        seen += [row.seq for row in page]
        after = page[-1].seq
    assert seen == [row.seq for row in stored]


def test_revocations_take_the_next_sequence_numbers_and_read_back(store: SqlStore) -> None:
    audience = Audience(
        "cert-fr", 2, ("marking-definition--x",), recipient_org_ids=frozenset({"cert-de"})
    )
    moment = datetime(2024, 5, 1, 10, 0, 0, 7, tzinfo=timezone(timedelta(hours=2)))
    with store.transaction() as tx:
        (kept,) = tx.intel.add_versions([version()])
        one = tx.intel.add_revocation(kept.stix_id, "revoked", audience, moment)
        two = tx.intel.add_revocation(kept.stix_id, "audience", audience)
    with store.transaction() as tx:
        assert tx.intel.revocations(0, 10) == [one, two]
        assert tx.intel.revocations(one.seq, 10) == [two]
        assert tx.intel.revocations(0, 1) == [one]
        read_one, read_two = tx.intel.revocations(0, 10)
    assert kept.seq < one.seq < two.seq
    assert read_one.version == moment and read_one.version.tzinfo == UTC
    assert (read_one.audience, read_one.reason, read_two.version) == (audience, "revoked", None)


def test_the_viewer_prefilter_takes_ids_literally(store: SqlStore) -> None:
    """``_`` and ``%`` are LIKE wildcards: an id holding them must match only itself."""
    strict = [
        version(f"indicator--00000000-0000-4000-8000-00000000020{n}", tlp=3, recipients=r)
        for n, r in enumerate([frozenset({"a_b"}), frozenset({"a%"}), frozenset({"ab"})])
    ]
    with store.transaction() as tx:
        tx.intel.add_versions(strict)

    def visible(viewer: str) -> list[str]:
        with store.transaction() as tx:
            rows = tx.intel.page(PageRequest(ViewerScope(viewer, person_id="p"), limit=10))
        return [row.stix_id[-1] for row in rows]

    assert visible("a_b") == ["0"]
    assert visible("axb") == []
    assert visible("a%") == ["1"]
    assert visible("ab") == ["2"]

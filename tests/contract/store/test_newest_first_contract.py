"""Newest-first reads on both databases (what the console's lists and charts read): alerts
and incidents below a bound, in the organisations asked for; alert tallies since a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shieldwall.model.incident import IncidentQuery
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.test_alerts_contract import _alert, _seed


def _stored(store: SqlStore) -> None:
    _seed(store)
    batch = [_alert("alpha" if n % 3 else "bravo", n) for n in range(12)]
    batch[4] = replace(batch[4], techniques=("T1059.001",))
    with store.transaction() as tx:
        tx.alerts.add(batch)


def test_alerts_come_newest_first_below_the_bound_of_the_organisations(store: SqlStore) -> None:
    _stored(store)
    with store.reading() as tx:
        everything = tx.alerts.page(None, after=0, limit=100)
        newest = tx.alerts.latest(None, before=0, limit=5)
        alphas = tx.alerts.latest({"alpha"}, before=newest[-1].seq, limit=100)
    seqs = [a.seq for a in everything]
    assert [a.seq for a in newest] == seqs[::-1][:5]
    assert all(a.org_id == "alpha" and a.seq < newest[-1].seq for a in alphas)
    assert [a.seq for a in alphas] == sorted((a.seq for a in alphas), reverse=True)


def test_tallies_count_alerts_since_a_time_without_their_events(store: SqlStore) -> None:
    _stored(store)
    now = datetime.now(UTC)
    with store.reading() as tx:
        tallies = tx.alerts.tallies({"alpha"}, since=now - timedelta(hours=1), limit=100)
        none = tx.alerts.tallies(None, since=now + timedelta(hours=1), limit=100)
    assert len(tallies) == 8 and none == []
    assert {t.org_id for t in tallies} == {"alpha"} and all(t.count == 1 for t in tallies)
    assert any(t.techniques == ("T1059.001",) for t in tallies)
    assert [t.seq for t in tallies] == sorted((t.seq for t in tallies), reverse=True)


def test_incidents_come_newest_first_with_the_query_filters(store: SqlStore) -> None:
    _seed(store)
    with store.transaction() as tx:
        opened = [
            tx.incidents.open(o, f"t{n}", "high", f"test:{n}")
            for n, o in enumerate(["alpha", "bravo", "alpha", "alpha", "bravo"])
        ]
    query = IncidentQuery(org_ids=frozenset({"alpha"}), limit=2)
    with store.reading() as tx:
        first = tx.incidents.latest(query, 0)
        second = tx.incidents.latest(query, first[-1].id)
        bravo = tx.incidents.latest(replace(query, org_ids=None, member="bravo", limit=9), 0)
    assert [i.id for i in first] == [opened[3], opened[2]]
    assert [i.id for i in second] == [opened[0]]
    assert [i.id for i in bravo] == [opened[4], opened[1]]

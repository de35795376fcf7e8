"""Newest-first reads on both databases (what the console's lists and charts read): alerts
and incidents below a bound, in the organisations asked for; alert counts per period."""

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


def test_counts_are_summed_per_member_and_techniques_within_the_period(
    store: SqlStore,
) -> None:
    _stored(store)
    now = datetime.now(UTC)
    hour = timedelta(hours=1)
    with store.reading() as tx:
        alphas = tx.alerts.counts({"alpha"}, since=now - hour, until=now + hour)
        everyone = tx.alerts.counts(None, since=now - hour, until=now + hour)
        later = tx.alerts.counts(None, since=now + hour, until=now + 2 * hour)
    assert later == []
    assert {c.org_id for c in alphas} == {"alpha"}
    assert sum(c.alerts for c in alphas) == 8 and sum(c.hits for c in alphas) == 8
    assert sum(c.alerts for c in everyone) == 12
    by_techniques = {(c.org_id, c.techniques): c.alerts for c in everyone}
    assert by_techniques[("alpha", ("T1059.001",))] == 1


def test_the_newest_alerts_naming_a_technique(store: SqlStore) -> None:
    _stored(store)
    with store.reading() as tx:
        named = tx.alerts.latest(None, before=0, limit=10, technique="T1059.001")
        elsewhere = tx.alerts.latest({"bravo"}, before=0, limit=10, technique="T1059.001")
        wildcard = tx.alerts.latest(None, before=0, limit=10, technique="T1059%")
    assert [a.techniques for a in named] == [("T1059.001",)]
    assert elsewhere == [] and wildcard == []


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

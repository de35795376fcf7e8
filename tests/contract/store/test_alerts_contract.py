"""Alerts on both databases: a key stored twice is one alert, even from two stores racing;
pages follow the sequence and the organisations asked for."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest

from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.errors import InputError
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.conftest import OpenStore
from tests.contract.store.values import org


def _alert(org_id: str, number: int) -> NewAlert:
    return NewAlert(
        key=f"{org_id}:{number}:rule-1",
        org_id=org_id,
        rule_id="rule-1",
        rule_title="Evil binary started",
        level="high",
        tags=("attack.t1204.002",),
        event_time=datetime(2026, 12, 1, 10, 0, number % 60, tzinfo=UTC),
        source=f"ingest:{org_id}#{number}",
        matched={"Image": "C:\\x\\evil.exe"},
        event={"Image": "C:\\x\\evil.exe", "EventID": 1},
    )


def _seed(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.organisations.add(org("alpha"))
        tx.organisations.add(org("bravo"))


def test_a_key_stored_twice_is_one_alert(store: SqlStore) -> None:
    _seed(store)
    batch = [_alert("alpha", n) for n in range(5)]
    with store.transaction() as tx:
        assert tx.alerts.add(batch) == 5
    with store.transaction() as tx:
        assert tx.alerts.add([*batch[2:], _alert("alpha", 9)]) == 1
    with store.reading() as tx:
        stored = tx.alerts.page(None, after=0, limit=100)
    assert [a.key for a in stored] == [a.key for a in batch] + ["alpha:9:rule-1"]
    assert stored[0].matched == {"Image": "C:\\x\\evil.exe"} and stored[0].tags == batch[0].tags
    assert stored[0].event_time == batch[0].event_time


def test_two_stores_racing_on_the_same_keys_leave_one_of_each(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    _seed(first)
    batch = [_alert("alpha", n) for n in range(200)]
    stored: list[int] = []

    def write(store: SqlStore) -> None:
        for start in range(0, 200, 20):
            with store.transaction() as tx:
                stored.append(tx.alerts.add(batch[start : start + 20]))

    threads = [threading.Thread(target=write, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(stored) == 200
    with first.reading() as tx:
        assert len(tx.alerts.page(None, after=0, limit=1000)) == 200


def test_pages_follow_the_sequence_and_the_organisations_asked(store: SqlStore) -> None:
    _seed(store)
    with store.transaction() as tx:
        tx.alerts.add([_alert("alpha" if n % 2 else "bravo", n) for n in range(10)])
    with store.reading() as tx:
        alpha = tx.alerts.page({"alpha"}, after=0, limit=3)
        rest = tx.alerts.page({"alpha"}, after=alpha[-1].seq, limit=100)
        nobody = tx.alerts.page(set(), after=0, limit=100)
        one = tx.alerts.get(alpha[0].seq)
        missing = tx.alerts.get(10_000)
    assert [a.org_id for a in alpha + rest] == ["alpha"] * 5
    assert [a.seq for a in alpha + rest] == sorted(a.seq for a in alpha + rest)
    assert nobody == [] and one == alpha[0] and missing is None


def _duplicate(number: int, dedup: str = "dedup:evil-on-ws1") -> NewAlert:
    first = _alert("alpha", number)
    return NewAlert(
        key=first.key,
        org_id="alpha",
        rule_id=first.rule_id,
        rule_title=first.rule_title,
        level=first.level,
        tags=first.tags,
        event_time=first.event_time,
        source=first.source,
        matched=first.matched,
        event=first.event,
        entities=Entities(hosts=("ws1",), users=("eve",), ips=("10.0.0.1",)),
        techniques=("T1204.002",),
        dedup_key=dedup,
    )


def test_duplicates_are_counted_on_one_alert_once_per_hit(store: SqlStore) -> None:
    _seed(store)
    with store.transaction() as tx:
        assert tx.alerts.add([_duplicate(n) for n in (3, 1, 2)]) == 3
    with store.transaction() as tx:  # a redelivery counts nothing
        assert tx.alerts.add([_duplicate(n) for n in (1, 2, 3)]) == 0
        assert tx.alerts.add([_duplicate(4, "dedup:other")]) == 1
    with store.reading() as tx:
        first, other = tx.alerts.page(None, after=0, limit=10)
        hit = tx.alerts.hit("alpha:2:rule-1")
        assert tx.alerts.hit_count() == 4 and tx.alerts.hit("alpha:99:rule-1") is None
    assert (first.count, other.count) == (3, 1)
    assert first.key == "alpha:3:rule-1"  # the first hit's evidence stays on the alert
    assert first.last_seen == datetime(2026, 12, 1, 10, 0, 3, tzinfo=UTC)
    assert first.entities.ips == ("10.0.0.1",) and first.techniques == ("T1204.002",)
    assert hit is not None and hit.alert.seq == first.seq
    assert hit.at == datetime(2026, 12, 1, 10, 0, 2, tzinfo=UTC)


def test_two_stores_racing_on_duplicates_count_each_hit_once(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    _seed(first)
    batch = [_duplicate(n, f"dedup:{n % 3}") for n in range(120)]
    fresh: list[int] = []

    def write(store: SqlStore) -> None:
        for start in range(0, 120, 10):
            with store.transaction() as tx:
                fresh.append(tx.alerts.add(batch[start : start + 10]))

    threads = [threading.Thread(target=write, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fresh) == 120
    with first.reading() as tx:
        assert sorted(a.count for a in tx.alerts.page(None, after=0, limit=10)) == [40, 40, 40]


def test_claim_names_the_hits_counted_now_on_new_and_existing_alerts(store: SqlStore) -> None:
    _seed(store)
    with store.transaction() as tx:
        assert tx.alerts.claim([_duplicate(1, "dedup:a")]) == {"alpha:1:rule-1"}
    # one batch, one statement: an alert counted on (a), two opened (b, c)
    batch = [_duplicate(2, "dedup:a"), _duplicate(3, "dedup:c"), _duplicate(4, "dedup:b")]
    with store.transaction() as tx:
        claimed = tx.alerts.claim([*batch, _duplicate(5, "dedup:c"), _duplicate(1, "dedup:a")])
    assert claimed == {"alpha:2:rule-1", "alpha:3:rule-1", "alpha:4:rule-1", "alpha:5:rule-1"}
    with store.transaction() as tx:  # a redelivery claims nothing
        assert tx.alerts.claim(batch) == set()
    with store.reading() as tx:
        alerts = {a.dedup_key: a for a in tx.alerts.page(None, after=0, limit=10)}
        hits = {key: tx.alerts.hit(key) for key in claimed}
    assert {key: a.count for key, a in alerts.items()} == {
        "dedup:a": 2,
        "dedup:b": 1,
        "dedup:c": 2,
    }
    assert alerts["dedup:c"].key == "alpha:3:rule-1"
    assert alerts["dedup:c"].last_seen == datetime(2026, 12, 1, 10, 0, 5, tzinfo=UTC)
    assert all(hit is not None for hit in hits.values())
    assert {key: hit.alert.dedup_key for key, hit in hits.items() if hit} == {
        "alpha:2:rule-1": "dedup:a",
        "alpha:3:rule-1": "dedup:c",
        "alpha:4:rule-1": "dedup:b",
        "alpha:5:rule-1": "dedup:c",
    }


def _varied(number: int) -> NewAlert:
    """An alert of its own dedup key, with evidence of every JSON shape (no time every
    third, to mix nulls into the times)."""
    first = _alert("alpha", number)
    return NewAlert(
        key=first.key,
        org_id="alpha",
        rule_id=f"rule-{number % 7}",
        rule_title=f"Règle n° {number}",
        level=first.level,
        tags=(f"attack.t{1000 + number % 5}",),
        event_time=None if number % 3 == 0 else first.event_time,
        source=first.source,
        matched={"CommandLine": f"évil {number}"},
        event={"n": number, "nested": {"list": [1, "two", None, True]}, "text": "ü\\\"'"},
        entities=Entities(hosts=(f"ws{number % 4}",)),
        techniques=(f"T{1000 + number % 5}",),
        dedup_key=f"dedup:{number}",
    )


def test_a_batch_of_hundreds_of_alerts_is_stored_whole_and_read_back_as_given(
    store: SqlStore,
) -> None:
    _seed(store)
    batch = [_varied(n) for n in range(300)]  # more rows than one statement holds
    with store.transaction() as tx:
        assert len(tx.alerts.claim(batch[:1])) == 1
    with store.transaction() as tx:
        assert tx.alerts.claim(batch) == {alert.key for alert in batch[1:]}
    with store.transaction() as tx:  # a redelivery, read in several statements on SQLite
        assert tx.alerts.claim(batch) == set()
    with store.reading() as tx:
        stored = {a.key: a for a in tx.alerts.page(None, after=0, limit=1000)}
        hits = [tx.alerts.hit(alert.key) for alert in batch[::37]]
        assert tx.alerts.hit_count() == 300
    assert len(stored) == 300
    for alert in batch:
        got = stored[alert.key]
        assert (got.rule_title, got.tags, got.techniques) == (
            alert.rule_title,
            alert.tags,
            alert.techniques,
        )
        assert (got.matched, got.event, got.entities) == (
            alert.matched,
            alert.event,
            alert.entities,
        )
        assert (got.event_time, got.last_seen, got.count) == (alert.event_time, alert.event_time, 1)
    assert [hit.at if hit else "missing" for hit in hits] == [a.event_time for a in batch[::37]]


def test_a_value_a_column_refuses_stores_nothing_of_the_batch(store: SqlStore) -> None:
    _seed(store)
    refused = dataclasses.replace(_varied(5), rule_title="with a NUL \x00 inside")
    with pytest.raises(InputError), store.transaction() as tx:
        tx.alerts.claim([_varied(1), refused])
    with store.reading() as tx:
        assert tx.alerts.page(None, after=0, limit=10) == [] and tx.alerts.hit_count() == 0

"""Incidents on both databases: the fuse stage's grouping reaches the partition the rules
define, whatever order the hits come in; a hit claimed once is fused once; merges move
alerts and say so in both histories; pages follow the filters asked."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from shieldwall.fuse import GroupingRules, HitView, fuse_hit, partition
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.incident import IncidentQuery, IncidentStatus
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import incident_links
from tests.contract.store.conftest import OpenStore
from tests.contract.store.values import org

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
RULES = GroupingRules(window=timedelta(minutes=30))
_orgs = itertools.count()


def alert(
    org_id: str,
    number: int,
    *,
    minute: int = 0,
    host: str = "",
    user: str = "",
    ip: str = "",
    level: str = "medium",
    dedup: str = "",
) -> NewAlert:
    return NewAlert(
        key=f"{org_id}:{number}:rule",
        org_id=org_id,
        rule_id="rule",
        rule_title="Suspicious thing",
        level=level,
        tags=(),
        event_time=T0 + timedelta(minutes=minute),
        source=f"ingest:{org_id}#{number}",
        matched={},
        event={},
        entities=Entities(
            hosts=(host,) if host else (), users=(user,) if user else (), ips=(ip,) if ip else ()
        ),
        dedup_key=f"{org_id}:{dedup}" if dedup else "",
    )


def fuse_in_order(store: SqlStore, alerts: list[NewAlert], batch: int = 1) -> dict[str, int]:
    """Store and fuse the alerts one by one, as the workers would, or ``batch`` at a time in
    one transaction each (as the fuse worker does); hit key -> incident."""
    placed: dict[str, int] = {}
    for first in range(0, len(alerts), batch):
        chunk = alerts[first : first + batch]
        with store.transaction() as tx:
            tx.alerts.add(chunk)
            if batch == 1:
                hit = tx.alerts.hit(chunk[0].key)
                assert hit is not None and tx.incidents.claim(chunk[0].key)
                tx.incidents.settle(chunk[0].key, fuse_hit(tx.incidents, hit, RULES))
                continue
            claimed = tx.incidents.claim_many([new.key for new in chunk])
            assert claimed == {new.key for new in chunk}
            hits = tx.alerts.hits(claimed)
            settled = [(new.key, fuse_hit(tx.incidents, hits[new.key], RULES)) for new in chunk]
            tx.incidents.settle_many(settled)
    with store.reading() as tx:
        for new in alerts:
            hit = tx.alerts.hit(new.key)
            assert hit is not None
            incident = tx.incidents.of_alert(hit.alert.seq)
            assert incident is not None and incident.merged_into is None
            placed[new.key.split(":", 1)[1]] = incident.id
    return placed


def groups(placed: dict[str, int]) -> set[frozenset[str]]:
    by_incident: dict[int, set[str]] = {}
    for key, incident in placed.items():
        by_incident.setdefault(incident, set()).add(key)
    return {frozenset(keys) for keys in by_incident.values()}


specs = st.lists(
    st.tuples(
        st.sampled_from(["", "ws1", "ws2", "ws3"]),
        st.sampled_from(["", "eve", "bob"]),
        st.sampled_from(["", "10.0.0.1", "10.0.0.2"]),
        st.integers(0, 180),
        st.sampled_from(["", "d1", "d2"]),
    ),
    min_size=1,
    max_size=9,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs, st.randoms(use_true_random=False))
def test_any_order_of_the_same_hits_gives_the_incidents_the_rules_define(
    store: SqlStore, spec: list[tuple[str, str, str, int, str]], shuffle: object
) -> None:
    orgs = [f"o{next(_orgs)}", f"o{next(_orgs)}", f"o{next(_orgs)}"]
    with store.transaction() as tx:
        for org_id in orgs:
            tx.organisations.add(org(org_id))

    def built(org_id: str) -> list[NewAlert]:
        return [
            alert(org_id, n, host=h, user=u, ip=i, minute=m, dedup=d)
            for n, (h, u, i, m, d) in enumerate(spec)
        ]

    in_order = groups(fuse_in_order(store, built(orgs[0])))
    mixed = built(orgs[1])
    shuffle.shuffle(mixed)  # type: ignore[attr-defined]
    assert groups(fuse_in_order(store, mixed)) == in_order
    batched = built(orgs[2])
    shuffle.shuffle(batched)  # type: ignore[attr-defined]
    assert groups(fuse_in_order(store, batched, batch=7)) == in_order
    views = [
        HitView(d or f"own{n}", "x", T0 + timedelta(minutes=m), RULES.links(a.entities))
        for n, ((h, u, i, m, d), a) in enumerate(zip(spec, built("x"), strict=True))
    ]
    expected = {frozenset(f"{n}:rule" for n in group) for group in partition(views, RULES.window)}
    assert in_order == expected


dense = st.lists(st.tuples(st.just("ws1"), st.integers(0, 240)), min_size=40, max_size=80)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dense, st.randoms(use_true_random=False))
def test_many_hits_of_one_host_keep_few_link_rows_and_the_same_incidents(
    store: SqlStore, spec: list[tuple[str, int]], shuffle: object
) -> None:
    """A host's times are thinned (a handful per window, not one per hit), in any order,
    and the incidents are still the ones the rules define."""
    org_id = f"o{next(_orgs)}"
    with store.transaction() as tx:
        tx.organisations.add(org(org_id))
    hits = [alert(org_id, n, host=h, minute=m) for n, (h, m) in enumerate(spec)]
    shuffle.shuffle(hits)  # type: ignore[attr-defined]
    placed = fuse_in_order(store, hits)
    views = [
        HitView(
            f"own{n}", "x", T0 + timedelta(minutes=m), RULES.links(alert("x", n, host=h).entities)
        )
        for n, (h, m) in enumerate(spec)
    ]
    expected = {frozenset(f"{n}:rule" for n in group) for group in partition(views, RULES.window)}
    assert groups(placed) == expected
    batched = [alert(f"{org_id}b", n, host=h, minute=m) for n, (h, m) in enumerate(spec)]
    with store.transaction() as tx:
        tx.organisations.add(org(f"{org_id}b"))
    shuffle.shuffle(batched)  # type: ignore[attr-defined]
    assert groups(fuse_in_order(store, batched, batch=len(batched))) == expected
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(incident_links.c.link, func.count())
            .where(incident_links.c.org_id == org_id)
            .group_by(incident_links.c.link)
        ).all()
    # kept times of a host: at most 2 per window in an incident (a third between two
    # within the window is dropped), twice that where incidents merged: over 240 minutes
    # and a 30-minute window, at most 36 of 40 to 80 hits
    assert rows and all(count <= 4 * (240 // 30 + 1) for _, count in rows)


def test_a_claimed_hit_is_not_fused_again(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.organisations.add(org("alpha"))
        tx.alerts.add([alert("alpha", 1, host="ws1")])
        assert tx.incidents.claim("alpha:1:rule")
    with store.transaction() as tx:
        assert not tx.incidents.claim("alpha:1:rule")
        tx.alerts.add([alert("alpha", 2, host="ws1")])
        fresh = tx.incidents.claim_many(["alpha:1:rule", "alpha:2:rule", "alpha:2:rule"])
        assert fresh == {"alpha:2:rule"}
        assert set(tx.alerts.hits(["alpha:1:rule", "alpha:2:rule", "alpha:9:rule"])) == {
            "alpha:1:rule",
            "alpha:2:rule",
        }
    with store.transaction() as tx:
        assert tx.incidents.claim_many(["alpha:1:rule", "alpha:2:rule"]) == set()


def test_hits_counted_in_a_transaction_are_read_back_in_it_and_after(store: SqlStore) -> None:
    """Counts are written once per batch, yet a read in the same transaction sees them."""
    hits = [alert("alpha", n, host="ws1", minute=n, dedup="d") for n in (1, 2, 3)]
    with store.transaction() as tx:
        tx.organisations.add(org("alpha"))
        tx.alerts.add(hits)
        found = tx.alerts.hits(tx.incidents.claim_many([new.key for new in hits]))
        target = {fuse_hit(tx.incidents, found[new.key], RULES) for new in hits}
        assert len(target) == 1
        inside = tx.incidents.get(target.pop())
        assert inside is not None
        assert (inside.alert_count, inside.first_seen) == (3, T0 + timedelta(minutes=1))
    with store.reading() as tx:
        assert tx.incidents.get(inside.id) == inside


def test_a_bridging_hit_merges_into_the_oldest_and_both_histories_say_so(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.organisations.add(org("alpha"))
    placed = fuse_in_order(
        store,
        [
            alert("alpha", 1, host="ws1", level="low"),
            alert("alpha", 2, user="eve", level="high"),
            alert("alpha", 3, host="ws1", user="eve", minute=5),
        ],
    )
    assert set(placed.values()) == {min(placed.values())}
    with store.reading() as tx:
        first, second = tx.incidents.page(IncidentQuery(org_ids=None))
        history = [c.action for c in tx.incidents.history(first.id)]
        merged = [(c.action, c.detail) for c in tx.incidents.history(second.id)]
        seqs = tx.incidents.alert_seqs(first.id)
    assert (first.status, first.severity, first.alert_count) == (IncidentStatus.NEW, "high", 3)
    assert first.first_seen == T0 and first.last_seen == T0 + timedelta(minutes=5)
    assert second.status is IncidentStatus.CLOSED and second.merged_into == first.id
    assert history == ["opened", "alert", "absorbed", "alert"]
    assert ("merged", {"into": first.id, "by_alert": seqs[-1]}) in merged
    assert len(seqs) == 3


def test_pages_follow_scope_and_filters(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.organisations.add(org("alpha"))
        tx.organisations.add(org("bravo"))
    fuse_in_order(store, [alert("alpha", 1, host="a1", level="high")])
    fuse_in_order(store, [alert("bravo", 1, host="b1"), alert("bravo", 2, host="b2")])
    with store.reading() as tx:
        one, two, three = (i.id for i in tx.incidents.page(IncidentQuery(org_ids=None)))
    with store.transaction() as tx:
        tx.incidents.set_status(three, IncidentStatus.TRIAGED, None)
        tx.incidents.set_assignee(three, "p-1")
        tx.incidents.record(three, "p-1", "status", {"from": "new", "to": "triaged"})
    with store.reading() as tx:
        mine = tx.incidents.page(IncidentQuery(org_ids=frozenset({"bravo"})))
        triaged = tx.incidents.page(IncidentQuery(org_ids=None, status=IncidentStatus.TRIAGED))
        high = tx.incidents.page(IncidentQuery(org_ids=None, severity="high"))
        member = tx.incidents.page(IncidentQuery(org_ids=None, member="alpha"))
        after = tx.incidents.page(IncidentQuery(org_ids=None, after=one, limit=1))
        nobody = tx.incidents.page(IncidentQuery(org_ids=frozenset()))
        changed = tx.incidents.get(three)
        history = tx.incidents.history(three)
    assert [i.id for i in mine] == [two, three] and [i.id for i in triaged] == [three]
    assert [i.id for i in high] == [one] and [i.id for i in member] == [one]
    assert [i.id for i in after] == [two] and nobody == []
    assert changed is not None and changed.assignee == "p-1"
    assert [(c.actor, c.action) for c in history][-1] == ("p-1", "status")


def test_two_replicas_fusing_one_members_hits_side_by_side_make_one_incident(
    open_store: OpenStore,
) -> None:
    first, second = open_store(), open_store()
    with first.transaction() as tx:
        tx.organisations.add(org("alpha"))
    hits = [alert("alpha", n, host="ws1", minute=n % 20) for n in range(60)]
    with first.transaction() as tx:
        tx.alerts.add(hits)

    def fuse(store: SqlStore, mine: list[NewAlert]) -> None:
        for start in range(0, len(mine), 5):
            with store.transaction() as tx:
                tx.incidents.lock_member("alpha")
                for new in mine[start : start + 5]:
                    hit = tx.alerts.hit(new.key)
                    if hit is not None and tx.incidents.claim(new.key):
                        tx.incidents.settle(new.key, fuse_hit(tx.incidents, hit, RULES))

    threads = [
        threading.Thread(target=fuse, args=(first, hits[0::2] + hits[1::4])),
        threading.Thread(target=fuse, args=(second, hits[1::2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with first.reading() as tx:
        found = tx.incidents.page(IncidentQuery(org_ids=None))
    opened = [i for i in found if i.merged_into is None]
    assert len(opened) == 1 and opened[0].alert_count == 60


def fuse_with_campaigns(store: SqlStore, alerts: list[NewAlert]) -> None:
    for new in alerts:
        with store.transaction() as tx:
            tx.alerts.add([new])
            hit = tx.alerts.hit(new.key)
            assert hit is not None and tx.incidents.claim(new.key)
            fuse_hit(tx.incidents, hit, RULES, tx.campaigns)


def test_an_observable_at_two_members_is_a_campaign_of_their_incidents(store: SqlStore) -> None:
    with store.transaction() as tx:
        for org_id in ("alpha", "bravo", "charlie"):
            tx.organisations.add(org(org_id))
    fuse_with_campaigns(
        store,
        [
            alert("alpha", 1, host="a1", ip="203.0.113.9"),
            alert("alpha", 2, host="a2", ip="203.0.113.9"),
            alert("charlie", 1, host="c1", ip="198.51.100.1"),
        ],
    )
    with store.reading() as tx:
        assert tx.campaigns.page(None, after=0, limit=10) == []  # one member: no campaign
    fuse_with_campaigns(store, [alert("bravo", 1, host="b1", ip="203.0.113.9", minute=500)])
    with store.reading() as tx:
        (campaign,) = tx.campaigns.page(None, after=0, limit=10)
        mine = tx.campaigns.page({"bravo"}, after=0, limit=10)
        theirs = tx.campaigns.page({"charlie"}, after=0, limit=10)
        same = tx.campaigns.get(campaign.id)
        alpha_incidents = [i.id for i in tx.incidents.page(IncidentQuery(org_ids={"alpha"}))]
    assert campaign.link == "ip:203.0.113.9" and mine == [campaign] and theirs == []
    assert [m.org_id for m in campaign.members] == ["alpha", "bravo"]
    assert campaign.members[0].incident_ids == tuple(alpha_incidents)
    assert same == campaign


def test_a_merge_hands_the_observables_to_the_surviving_incident(store: SqlStore) -> None:
    with store.transaction() as tx:
        for org_id in ("alpha", "bravo"):
            tx.organisations.add(org(org_id))
    fuse_with_campaigns(
        store,
        [
            alert("alpha", 1, host="a1", ip="203.0.113.9"),
            alert("alpha", 2, user="eve", ip="203.0.113.7", minute=10),
            alert("bravo", 1, host="b1", ip="203.0.113.9"),
            alert("bravo", 2, host="b2", ip="203.0.113.7"),
            alert("alpha", 3, host="a1", user="eve", minute=5),  # bridges alpha's two
        ],
    )
    with store.reading() as tx:
        found = tx.campaigns.page(None, after=0, limit=10)
        (survivor,) = [
            i.id for i in tx.incidents.page(IncidentQuery(org_ids={"alpha"})) if not i.merged_into
        ]
    assert sorted(c.link for c in found) == ["ip:203.0.113.7", "ip:203.0.113.9"]
    for campaign in found:
        alpha, bravo = campaign.members
        assert alpha.incident_ids == (survivor,) and bravo.org_id == "bravo"


def test_noting_an_observable_again_in_one_transaction_reads_and_writes_nothing(
    store: SqlStore,
) -> None:
    """A busy incident notes its host for every hit of a batch: the repeats cost no
    statement, and a note after a merge (rows moved) is made again."""
    with store.transaction() as tx:
        for org_id in ("alpha", "bravo"):
            tx.organisations.add(org(org_id))
        first = tx.incidents.open("alpha", "one", "low", "k1")
        second = tx.incidents.open("alpha", "two", "low", "k2")
        other = tx.incidents.open("bravo", "three", "low", "k3")
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    sql_event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.transaction() as tx:
            tx.campaigns.note("host:x", "alpha", first, T0)
            made = len(seen)
            tx.campaigns.note("host:x", "alpha", first, T0 + timedelta(minutes=1))
            assert len(seen) == made and made > 0
            tx.campaigns.move(first, second)
            moved = len(seen)
            tx.campaigns.note("host:x", "alpha", second, T0)
            tx.campaigns.note("host:x", "bravo", other, T0)
            assert len(seen) > moved
    finally:
        sql_event.remove(store.engine, "before_cursor_execute", record)
    with store.reading() as tx:
        (campaign,) = tx.campaigns.page(None, after=0, limit=10)
    assert [(m.org_id, m.incident_ids) for m in campaign.members] == [
        ("alpha", (second,)),
        ("bravo", (other,)),
    ]

"""Posture, campaign heuristics, sectors and the stream's heads on both databases.

The signals posture reads are the open incidents and each member's campaigns; a change
is recorded once per move of a level (two recomputations racing on one previous change
record one: the unique key decides); infrastructure and technique-chain links make
campaigns across members, chains only within their window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.fuse import CampaignRules, GroupingRules, fuse_hit, note_chains
from shieldwall.live import Cursor, PostureDesk, StreamDesk
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.errors import ConflictError
from shieldwall.model.identity import Organisation, OrgKind, Principal, Role
from shieldwall.model.incident import IncidentStatus
from shieldwall.model.posture import Level, ScopeKind
from shieldwall.store.sql.store import SqlStore

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
RULES = GroupingRules(window=timedelta(minutes=30))
HEURISTICS = CampaignRules(chain_length=2, chain_window=timedelta(days=1))


def members(store: SqlStore, *ids: str, sectors: tuple[str, ...] = ("energy",)) -> None:
    with store.transaction() as tx:
        tx.organisations.add(Organisation("hq", "Centre", OrgKind.CENTRE, "BE"))
        for org_id in ids:
            tx.organisations.add(Organisation(org_id, org_id, OrgKind.INDUSTRY, "FR", sectors))


def raise_alert(
    store: SqlStore,
    org_id: str,
    number: int,
    *,
    minute: int = 0,
    level: str = "high",
    ip: str = "",
    domain: str = "",
    url: str = "",
    techniques: tuple[str, ...] = (),
    host: str = "ws1",
) -> int:
    new = NewAlert(
        key=f"{org_id}:{number}:r",
        org_id=org_id,
        rule_id=f"r{number}",
        rule_title="Thing",
        level=level,
        tags=(),
        event_time=T0 + timedelta(minutes=minute),
        source="s",
        matched={},
        event={"url.full": url} if url else {},
        entities=Entities(
            hosts=(host,), ips=(ip,) if ip else (), domains=(domain,) if domain else ()
        ),
        techniques=techniques,
    )
    with store.transaction() as tx:
        tx.alerts.add([new])
        hit = tx.alerts.hit(new.key)
        assert hit is not None and tx.incidents.claim(new.key)
        target = fuse_hit(tx.incidents, hit, RULES, tx.campaigns, HEURISTICS)
        tx.incidents.settle(new.key, target)
        window = HEURISTICS.chain_window.total_seconds()
        note_chains(
            tx.incidents, tx.alerts, tx.campaigns, hit, target, length=2, window_seconds=window
        )
    return target


def campaign_links(store: SqlStore) -> dict[str, set[str]]:
    with store.reading() as tx:
        found = tx.campaigns.page(None, after=0, limit=1000)
    return {c.link: {m.org_id for m in c.members} for c in found}


def test_infrastructure_links_members_not_private_addresses(store: SqlStore) -> None:
    members(store, "a", "b")
    raise_alert(
        store, "a", 1, ip="198.51.100.7", domain="x.evil.co.uk", url="http://c2.example.net/p"
    )
    raise_alert(
        store, "b", 2, ip="198.51.100.200", domain="y.evil.co.uk", url="https://C2.example.net/q"
    )
    raise_alert(store, "a", 3, ip="10.0.0.5", host="ws9", minute=300)
    raise_alert(store, "b", 4, ip="10.0.0.9", host="ws9", minute=300)
    found = campaign_links(store)
    assert found["regdomain:evil.co.uk"] == {"a", "b"}
    assert found["urlhost:c2.example.net"] == {"a", "b"}
    # 198.51.100.0/24 is documentation space: not global, so no network link either
    assert not any(link.startswith("net:") for link in found)
    assert "ip:10.0.0.5" not in found


def test_same_public_network_links_members(store: SqlStore) -> None:
    members(store, "a", "b")
    raise_alert(store, "a", 1, ip="8.8.4.4")
    raise_alert(store, "b", 2, ip="8.8.4.200")
    assert campaign_links(store)["net:8.8.4.0/24"] == {"a", "b"}


def test_technique_chain_within_window_makes_a_campaign(store: SqlStore) -> None:
    members(store, "a", "b", "c")
    raise_alert(store, "a", 1, techniques=("T1566",))
    raise_alert(store, "a", 2, minute=5, techniques=("T1204",))
    raise_alert(store, "b", 3, minute=60, techniques=("T1566",))
    raise_alert(store, "b", 4, minute=70, techniques=("T1204",))
    # c has the same chain, but three days later: outside the window, not counted for it
    raise_alert(store, "c", 5, minute=4320, techniques=("T1566",))
    raise_alert(store, "c", 6, minute=4325, techniques=("T1204",))
    found = campaign_links(store)
    assert found["chain:T1566>T1204"] == {"a", "b", "c"}  # c holds it, shown to the centre
    with store.reading() as tx:
        (chain,) = [
            c for c in tx.campaigns.page(None, after=0, limit=10) if c.link.startswith("chain")
        ]
    assert chain.members  # the campaign stood from b on; c joining late never undoes it


def test_reverse_order_is_another_chain(store: SqlStore) -> None:
    members(store, "a", "b")
    raise_alert(store, "a", 1, techniques=("T1566",))
    raise_alert(store, "a", 2, minute=5, techniques=("T1204",))
    raise_alert(store, "b", 3, techniques=("T1204",))
    raise_alert(store, "b", 4, minute=5, techniques=("T1566",))
    assert not any(link.startswith("chain:") for link in campaign_links(store))


def test_chain_outside_window_is_no_campaign(store: SqlStore) -> None:
    members(store, "a", "b")
    raise_alert(store, "a", 1, techniques=("T1566", "T1204"))
    raise_alert(store, "b", 2, minute=3 * 1440, techniques=("T1566", "T1204"))
    assert "chain:T1566>T1204" not in campaign_links(store)


def test_signals_are_open_incidents_and_campaigns(store: SqlStore) -> None:
    members(store, "a", "b")
    first = raise_alert(store, "a", 1, ip="8.8.8.8", level="critical")
    raise_alert(store, "b", 2, ip="8.8.8.8", level="low")
    closed = raise_alert(store, "b", 3, host="other", level="high", minute=200)
    with store.transaction() as tx:
        tx.incidents.set_status(closed, IncidentStatus.CLOSED, "fp")
    with store.reading() as tx:
        incidents = sorted((s.org_id, s.severity) for s in tx.posture.incident_signals())
        campaigns = sorted((s.org_id, s.members) for s in tx.posture.campaign_signals())
    assert incidents == [("a", "critical"), ("b", "low")]
    assert ("a", 2) in campaigns and ("b", 2) in campaigns
    assert first > 0


def test_recompute_records_changes_once(store: SqlStore) -> None:
    members(store, "a", "b", "c")
    desk = PostureDesk(store, clock=lambda: T0 + timedelta(minutes=10))
    first = desk.recompute()
    assert {(e.kind, e.key, e.level) for e in first} == {
        (ScopeKind.MEMBER, "a", 1),
        (ScopeKind.MEMBER, "b", 1),
        (ScopeKind.MEMBER, "c", 1),
        (ScopeKind.SECTOR, "energy", 1),
        (ScopeKind.COALITION, "*", 1),
    }
    assert desk.recompute() == []  # nothing moved: nothing recorded
    raise_alert(store, "a", 1, level="critical")
    moved = {(e.kind, e.key): (e.previous, e.level) for e in desk.recompute()}
    assert moved[(ScopeKind.MEMBER, "a")] == (1, 4)  # a fresh critical incident: 20, high
    assert moved[(ScopeKind.SECTOR, "energy")] == (1, 4)
    assert (ScopeKind.MEMBER, "b") not in moved
    with store.reading() as tx:
        history = tx.posture.history({(ScopeKind.MEMBER, "a")}, after=0, limit=10)
        assert [e.level for e in history] == [1, 4]
        assert tx.posture.history(set(), after=0, limit=10) == []


def test_two_changes_after_one_previous_conflict(store: SqlStore) -> None:
    members(store, "a")
    level = Level(kind=ScopeKind.MEMBER, key="a", level=2, score=3.0)
    with store.transaction() as tx:
        tx.posture.change(level, None)
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.posture.change(Level(kind=ScopeKind.MEMBER, key="a", level=3, score=9.0), None)
    with store.reading() as tx:
        (current,) = tx.posture.current()
    assert (current.level, current.previous) == (2, None)


def test_sectors_set_and_stream_heads(store: SqlStore) -> None:
    members(store, "a")
    with store.transaction() as tx:
        assert tx.stream.heads() == (0, 0)
        tx.sectors.set_sectors("a", ["water", "energy", "water"])
    raise_alert(store, "a", 1)
    with store.reading() as tx:
        org = tx.organisations.get("a")
        assert org is not None and org.sectors == ("energy", "water")
        alert, incident = tx.stream.heads()
    assert alert >= 1 and incident >= 1


def test_the_stream_pages_through_the_gate(store: SqlStore) -> None:
    members(store, "a", "b")
    for number in range(6):
        raise_alert(store, "ab"[number % 2], number, host=f"h{number}")
    desk = StreamDesk(store, settle=timedelta(0))
    viewer = Principal("p", "a", Role.LIAISON, OrgKind.INDUSTRY)
    centre = Principal("c", "hq", Role.ANALYST, OrgKind.CENTRE)
    for who, expected in ((viewer, {"a"}), (centre, {"a", "b"})):
        cursor, seen = Cursor(), []
        while True:
            events, after = desk.next(who, cursor, limit=2)
            seen += [(e.kind, e.data["org_id"]) for e in events]
            if after == cursor:
                break
            cursor = after
        assert {org for _, org in seen} == expected
        assert sum(kind == "alert" for kind, _ in seen) == 3 * len(expected)
        assert cursor == Cursor(*_heads(store))


def _heads(store: SqlStore) -> tuple[int, int]:
    with store.reading() as tx:
        return tx.stream.heads()

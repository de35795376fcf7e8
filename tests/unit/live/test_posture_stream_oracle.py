"""Posture and the live stream against an independent oracle, over random coalitions.

Random coalitions (a centre and members in random sectors, people of every role, a stray
principal whose person is gone) get random alerts fused into incidents and campaigns by
the real fuse stage over the real store (SQLite); posture is recomputed. Then every
principal reads the levels, one level of every scope (and of one that does not exist),
the history, and the whole live stream. The expectations are written here from
docs/posture.md, as plain sets, independent of the gate:

* every role but ``sensor`` reads posture and the stream; a sensor is refused each path;
* the centre's people see every level; a member's people see their member's level, the
  level of each of its sectors with at least 3 members, and the coalition's when it has
  at least 3 members — never another member's level, and the score behind a level of
  its own member only (a group's score would tell the others' sum);
* a level the principal may not see is answered exactly as an absent one (same error,
  same message once the scope is masked); the history holds visible scopes only;
* the stream carries exactly the alerts and incidents the principal may read: its own
  member's (every member's for the centre), each once, in order.

Zero divergences, for each principal and scope.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.fuse import CampaignRules, GroupingRules, fuse_hit
from shieldwall.live import Cursor, PostureDesk, StreamDesk
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.errors import NotFoundError, PermissionDeniedError, ShieldwallError
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.posture import ScopeKind
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

T0 = datetime(2026, 12, 1, tzinfo=UTC)
READERS = {Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}
SECTORS = ["energy", "water", "finance"]
_TEMPLATE: list[Path] = []


@dataclass
class Coalition:
    store: SqlStore
    orgs: list[Organisation]
    principals: list[Principal]
    alerts: dict[int, str]
    """Every alert's sequence: its member."""
    incidents: dict[int, str]


def _template() -> Path:
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="posture-oracle-"))
        engine = create_sql_engine(f"sqlite:///{folder / 'db.sqlite'}")
        migrate.upgrade(engine)
        engine.dispose()
        _TEMPLATE.append(folder / "db.sqlite")
    return _TEMPLATE[0]


def _orgs(rng: random.Random) -> list[Organisation]:
    members = [
        Organisation(
            f"m{i}",
            f"m{i}",
            rng.choice([OrgKind.NATION, OrgKind.INDUSTRY]),
            "FR",
            tuple(rng.sample(SECTORS, rng.randint(0, 2))),
        )
        for i in range(rng.randint(1, 5))
    ]
    return [Organisation("hq", "Centre", OrgKind.CENTRE, "BE"), *members]


def build(rng: random.Random, folder: Path) -> Coalition:
    shutil.copy(_template(), folder / "db.sqlite")
    store = SqlStore(create_sql_engine(f"sqlite:///{folder / 'db.sqlite'}"), Signer.generate())
    orgs = _orgs(rng)
    members = [org.id for org in orgs if org.kind is not OrgKind.CENTRE]
    people = [
        Person(f"p-{org.id}-{n}", org.id, "n", f"{org.id}{n}@x.example", rng.choice(list(Role)))
        for org in orgs
        for n in range(rng.randint(1, 3))
    ]
    people = [p for p in people if p.role is not Role.ADMIN or p.org_id == "hq"]
    kinds = {org.id: org.kind for org in orgs}
    principals = [Principal(p.id, p.org_id, p.role, kinds[p.org_id]) for p in people]
    principals.append(Principal("ghost", rng.choice(members), Role.ANALYST, OrgKind.NATION))
    with store.transaction() as tx:
        for org in orgs:
            tx.organisations.add(org)
        for person in people:
            tx.people.add(person, None)
    for n in range(rng.randint(0, 10)):
        _fuse(store, rng, rng.choice(members), n)
    with store.reading() as tx:
        alerts = {a.seq: a.org_id for a in tx.alerts.page(None, after=0, limit=1000)}
        incidents = {i.id: i.org_id for i in tx.incidents.page(_all())}
    desk = PostureDesk(store, clock=lambda: T0 + timedelta(hours=rng.choice([1, 30, 200])))
    desk.recompute()
    return Coalition(store, orgs, principals, alerts, incidents)


def _all():  # type: ignore[no-untyped-def]
    from shieldwall.model.incident import IncidentQuery

    return IncidentQuery(org_ids=None, limit=1000)


def _fuse(store: SqlStore, rng: random.Random, member: str, n: int) -> None:
    ip = rng.choice(["", "8.8.8.1", "8.8.8.2"])
    new = NewAlert(
        key=f"{member}:{n}:r",
        org_id=member,
        rule_id="r",
        rule_title="Thing",
        level=rng.choice(["low", "medium", "high", "critical"]),
        tags=(),
        event_time=T0 + timedelta(minutes=rng.randint(0, 120)),
        source="s",
        matched={},
        event={},
        entities=Entities(hosts=(rng.choice(["h1", "h2"]),), ips=(ip,) if ip else ()),
    )
    with store.transaction() as tx:
        tx.alerts.add([new])
        hit = tx.alerts.hit(new.key)
        assert hit is not None
        fuse_hit(tx.incidents, hit, GroupingRules(), tx.campaigns, CampaignRules())


def visible_scopes(coalition: Coalition, who: Principal) -> set[tuple[ScopeKind, str]] | None:
    """The oracle for posture: None for everything (the centre)."""
    if who.org_kind is OrgKind.CENTRE:
        return None
    members = [org for org in coalition.orgs if org.kind is not OrgKind.CENTRE]
    own = next(org for org in members if org.id == who.org_id)
    found = {(ScopeKind.MEMBER, own.id)}
    for sector in own.sectors:
        if sum(sector in org.sectors for org in members) >= 3:
            found.add((ScopeKind.SECTOR, sector))
    if len(members) >= 3:
        found.add((ScopeKind.COALITION, "*"))
    return found


def outcome(call: object) -> tuple[str, str]:
    try:
        call()  # type: ignore[operator]
    except ShieldwallError as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_posture_and_stream_answer_what_the_oracle_says(rng: random.Random) -> None:
    folder = Path(tempfile.mkdtemp(prefix="posture-oracle-world-"))
    coalition = build(rng, folder)
    try:
        desk = PostureDesk(coalition.store)
        with coalition.store.reading() as tx:
            truth = {(e.kind, e.key): e for e in tx.posture.current()}
        members = [org for org in coalition.orgs if org.kind is not OrgKind.CENTRE]
        assert set(truth) == {(ScopeKind.MEMBER, org.id) for org in members} | {
            (ScopeKind.SECTOR, sector) for org in members for sector in org.sectors
        } | {(ScopeKind.COALITION, "*")}
        for who in coalition.principals:
            _check_posture(coalition, desk, truth, who)
            _check_stream(coalition, who)
    finally:
        coalition.store.close()
        shutil.rmtree(folder, ignore_errors=True)


def _check_posture(coalition: Coalition, desk: PostureDesk, truth: dict, who: Principal) -> None:  # type: ignore[type-arg]
    absent = (ScopeKind.SECTOR, "no-such-sector")
    if who.role not in READERS:
        for call in (
            lambda: desk.levels(who),
            lambda: desk.history(who),
            lambda: desk.level(who, *absent),
        ):
            assert outcome(call)[0] == PermissionDeniedError.__name__
        return
    allowed = visible_scopes(coalition, who)
    expected = set(truth) if allowed is None else set(truth) & allowed
    seen = {(e.kind, e.key): e for e in desk.levels(who)}
    assert set(seen) == expected
    for scope, entry in seen.items():  # the centre's level; the score of its own member only
        scored = who.org_kind is OrgKind.CENTRE or scope == (ScopeKind.MEMBER, who.org_id)
        assert entry == (truth[scope] if scored else replace(truth[scope], score=None))
    history = desk.history(who, limit=1000)
    assert {(e.kind, e.key) for e in history} == expected
    assert all(
        e.score is None for e in history if (e.kind, e.key) != (ScopeKind.MEMBER, who.org_id)
    ) or (who.org_kind is OrgKind.CENTRE)
    for scope in [*truth, absent]:
        got = outcome(lambda s=scope: desk.level(who, *s))  # type: ignore[misc]
        if scope in expected:
            assert got == ("ok", "")
            continue
        assert got == (NotFoundError.__name__, f"no posture for {scope[0].value} {scope[1]}")
        kind_only = outcome(lambda s=scope: desk.history(who, kind=s[0], key=s[1]))  # type: ignore[misc]
        assert kind_only == ("ok", "")
        assert list(desk.history(who, kind=scope[0], key=scope[1])) == []


def _check_stream(coalition: Coalition, who: Principal) -> None:
    stream = StreamDesk(coalition.store, settle=timedelta(0))
    if who.role not in READERS:
        with pytest.raises(PermissionDeniedError):
            stream.next(who, Cursor())
        return
    centre = who.org_kind is OrgKind.CENTRE
    alerts: list[int] = []
    incidents: list[int] = []
    cursor = Cursor()
    while True:
        events, after = stream.next(who, cursor, limit=3)
        if after == cursor:
            break
        for event in events:
            assert event.data["org_id"] == who.org_id or centre
            (alerts if event.kind == "alert" else incidents).append(
                int(event.data.get("seq") or event.data["id"])
            )
        cursor = after
    assert alerts == sorted(s for s, m in coalition.alerts.items() if centre or m == who.org_id)
    assert incidents == sorted(
        i for i, m in coalition.incidents.items() if centre or m == who.org_id
    )
    assert stream.next(who, cursor)[0] == []

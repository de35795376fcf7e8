"""Every incident read and change path against an independent oracle.

Random coalitions (a centre and members, people of every role, stray principals that
resolve to nobody) get random alerts on their hosts and users, fused into incidents by
the real fuse stage over the real store (SQLite), and the IPs they share across members
into campaigns. Then every principal lists incidents (paged), reads each incident that
exists and one that does not, tries to comment on each, and lists and reads campaigns.
The expectations are written here from docs/operations.md, as plain sets, independent of
the gate:

* people of every role but ``sensor`` read incidents; a sensor is refused every path;
* the centre's people see every member's incidents, a member's people their own only;
* an incident the principal may not see is answered exactly as an absent one (same
  error, same message once the id is masked), on every path, reads and changes alike;
* of what it sees, a principal may change it only as analyst, lead or admin;
* an incident shows only alerts of its own member;
* a campaign is an IP named by alerts of two members or more; the centre sees all of it,
  a member part of it sees its own part and how many others ("seen at N other
  members"), never which; anyone else is answered as for an absent campaign.

Zero divergences, on each path, for each principal and incident.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.live import CampaignDesk, IncidentDesk
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.errors import NotFoundError, PermissionDeniedError, ShieldwallError
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.incident import IncidentQuery
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

T0 = datetime(2026, 12, 1, tzinfo=UTC)
READERS = {Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}
HANDLERS = {Role.ADMIN, Role.LEAD, Role.ANALYST}
_TEMPLATE: list[Path] = []


@dataclass
class Coalition:
    store: SqlStore
    principals: list[Principal]
    incidents: dict[int, str]
    """Every incident that exists (merged ones included), by id: its member."""
    observables: dict[str, set[str]]
    """Every IP the alerts named: the members whose alerts named it."""


def _template() -> Path:
    """A migrated empty database, copied for each example."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="incident-oracle-"))
        engine = create_sql_engine(f"sqlite:///{folder / 'db.sqlite'}")
        migrate.upgrade(engine)
        engine.dispose()
        _TEMPLATE.append(folder / "db.sqlite")
    return _TEMPLATE[0]


def build(rng: random.Random, folder: Path) -> Coalition:
    shutil.copy(_template(), folder / "db.sqlite")
    store = SqlStore(create_sql_engine(f"sqlite:///{folder / 'db.sqlite'}"), Signer.generate())
    members = [f"m{i}" for i in range(rng.randint(1, 4))]
    orgs = [Organisation("hq", "Centre", OrgKind.CENTRE, "BE")]
    orgs += [
        Organisation(m, m, rng.choice([OrgKind.NATION, OrgKind.INDUSTRY]), "FR") for m in members
    ]
    people = [
        Person(f"p-{org.id}-{n}", org.id, "n", f"{org.id}{n}@x.example", rng.choice(list(Role)))
        for org in orgs
        for n in range(rng.randint(1, 3))
    ]
    people = [p for p in people if p.role is not Role.ADMIN or p.org_id == "hq"]
    kinds = {org.id: org.kind for org in orgs}
    principals = [Principal(p.id, p.org_id, p.role, kinds[p.org_id]) for p in people]
    principals += [  # strays: a token's person gone, claims that match no one
        Principal(
            "ghost", rng.choice(members), rng.choice([Role.ANALYST, Role.LIAISON]), OrgKind.NATION
        )
    ]
    with store.transaction() as tx:
        for org in orgs:
            tx.organisations.add(org)
        for person in people:
            tx.people.add(person, None)
    rules = GroupingRules(window=timedelta(minutes=rng.choice([5, 60])))
    observables: dict[str, set[str]] = {}
    for n in range(rng.randint(0, 12)):
        member = rng.choice(members)
        ip = rng.choice(["", "192.0.2.1", "192.0.2.2"])
        alert = NewAlert(
            key=f"{member}:{n}:r",
            org_id=member,
            rule_id="r",
            rule_title="Thing",
            level=rng.choice(["low", "medium", "high"]),
            tags=(),
            event_time=T0 + timedelta(minutes=rng.randint(0, 120)),
            source="s",
            matched={},
            event={},
            entities=Entities(
                hosts=(rng.choice(["h1", "h2", "h3"]),),
                users=(rng.choice(["u1", "u2"]),),
                ips=(ip,) if ip else (),
            ),
        )
        if ip:
            observables.setdefault(f"ip:{ip}", set()).add(member)
        with store.transaction() as tx:
            tx.alerts.add([alert])
            hit = tx.alerts.hit(alert.key)
            assert hit is not None
            fuse_hit(tx.incidents, hit, rules, tx.campaigns)
    with store.reading() as tx:
        found = {i.id: i.org_id for i in tx.incidents.page(IncidentQuery(org_ids=None, limit=1000))}
    return Coalition(store, principals, found, observables)


def sees(who: Principal, member: str) -> bool:
    """The oracle: who reads what, from the documented rules alone."""
    return who.role in READERS and (who.org_kind is OrgKind.CENTRE or who.org_id == member)


def outcome(call: object) -> tuple[str, str]:
    """What a call answered: ``ok``, or the error's class and masked message."""
    try:
        call()  # type: ignore[operator]
    except ShieldwallError as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_every_path_answers_what_the_oracle_says(rng: random.Random) -> None:
    folder = Path(tempfile.mkdtemp(prefix="incident-oracle-world-"))
    coalition = build(rng, folder)
    desk = IncidentDesk(coalition.store)
    absent = max(coalition.incidents, default=0) + 1
    try:
        for who in coalition.principals:
            expected = {i for i, member in coalition.incidents.items() if sees(who, member)}
            if who.role not in READERS:
                with pytest.raises(PermissionDeniedError):
                    desk.page(who)
            else:
                listed: list[int] = []
                after = 0
                while page := desk.page(who, after=after, limit=2):
                    listed += [i.id for i in page]
                    after = page[-1].id
                assert listed == sorted(expected)
            for number, member in [*coalition.incidents.items(), (absent, "")]:
                _check_one(desk, who, number, member, absent)
            _check_campaigns(coalition, who)
    finally:
        coalition.store.close()
        shutil.rmtree(folder, ignore_errors=True)


def _check_one(desk: IncidentDesk, who: Principal, number: int, member: str, absent: int) -> None:
    visible = bool(member) and sees(who, member)
    got = outcome(lambda: desk.get(who, number))
    changed = outcome(lambda: desk.comment(who, number, "seen"))
    if who.role not in READERS:
        assert got[0] == changed[0] == "PermissionDeniedError"
        return
    if not visible:  # hidden exactly like absent, on every path
        assert got == changed == (NotFoundError.__name__, f"incident {number} not found")
        assert got[1].replace(str(number), "N") == f"incident {absent} not found".replace(
            str(absent), "N"
        )
        return
    view = desk.get(who, number)
    assert view.incident.org_id == member
    assert all(alert.org_id == member for alert in view.alerts)
    if who.role in HANDLERS:
        merged = view.incident.merged_into is not None
        assert changed == ("ok", "") or (merged is False and changed == ("ok", ""))
    else:
        assert changed[0] == PermissionDeniedError.__name__


def _check_campaigns(coalition: Coalition, who: Principal) -> None:
    """Listed and read: the campaigns the principal's organisation is part of (every one
    for the centre), its own part only, the others counted; hidden answered as absent."""
    desk = CampaignDesk(coalition.store)
    campaigns = {link: orgs for link, orgs in coalition.observables.items() if len(orgs) >= 2}
    with coalition.store.reading() as tx:
        ids = {c.link: c.id for c in tx.campaigns.page(None, after=0, limit=1000)}
    assert set(ids) == set(campaigns)
    absent = max(ids.values(), default=0) + 1
    if who.role not in READERS:
        for call in (lambda: desk.page(who), lambda: desk.get(who, absent)):
            assert outcome(call)[0] == PermissionDeniedError.__name__
        return
    centre = who.org_kind is OrgKind.CENTRE
    expected = {link for link, orgs in campaigns.items() if centre or who.org_id in orgs}
    listed = {sight.link: sight for sight in desk.page(who)}
    assert set(listed) == expected
    for link, orgs in campaigns.items():
        number = ids[link]
        if link not in expected:
            assert outcome(lambda n=number: desk.get(who, n)) == (  # type: ignore[misc]
                NotFoundError.__name__,
                f"campaign {number} not found",
            )
            continue
        sight = desk.get(who, number)
        assert sight == listed[link]
        shown = {member.org_id for member in sight.members}
        assert shown == (orgs if centre else {who.org_id})
        assert sight.other_members == len(orgs) - len(shown)
        for member in sight.members:
            assert all(coalition.incidents[i] == member.org_id for i in member.incident_ids)
    assert outcome(lambda: desk.get(who, absent)) == (
        NotFoundError.__name__,
        f"campaign {absent} not found",
    )

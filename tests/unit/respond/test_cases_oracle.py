"""Cases and their items against an independent oracle, across organisations.

Random coalitions (a centre and members, people of every role, some inactive, a
suspended member now and then, a stray principal that resolves to nobody) get cases
opened by a member or by the centre, shared with random members up to random TLP levels,
and items (comments, observables, tasks, evidence) of random TLP added by every party.
Then every principal lists the cases, reads each case that exists and one that does not,
and asks for every item and one that does not exist. The expectations are written here
from docs/cases.md, as plain sets, independent of the gate:

* people of every role but ``sensor`` read cases; a sensor is refused every path;
* the centre's people see every case; a member's people the cases their member owns,
  opened, or was shared; anyone else gets exactly the answer for an absent case;
* of a case it sees, a principal receives an item when its person and organisation are
  active and known, and the item is its own organisation's, or is below TLP:RED and
  addressed to it: the case's member and opener always, a member shared with only for
  items at or below the share's level;
* who the case is shared with is shown to its owners and the centre only;
* an item not received is answered exactly as an absent one (same error, same message
  once the id is masked), its timeline entries are not shown, and nothing counts it.

Zero divergences, for each principal, case and item.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import (
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ShieldwallError,
)
from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import CaseDesk, ItemDesk
from tests.unit.respond.cases_world import fresh_store, incident, lead_of, principal, seed

READERS = {Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON}
SHARE_LEVELS = [TlpLevel.CLEAR, TlpLevel.GREEN, TlpLevel.AMBER, TlpLevel.AMBER_STRICT]


@dataclass
class Known:
    """What the test itself wrote: the oracle's facts."""

    owners: dict[int, set[str]] = field(default_factory=dict)
    shares: dict[int, dict[str, TlpLevel]] = field(default_factory=dict)
    items: dict[int, dict[str, tuple[str, TlpLevel]]] = field(default_factory=dict)
    """Per case: item id -> (author's organisation, level)."""


def build(
    rng: random.Random, folder: Path
) -> tuple[CaseDesk, ItemDesk, list[Principal], Known, dict[str, Person]]:
    store = fresh_store(folder)
    members = [f"m{i}" for i in range(rng.randint(2, 4))]
    orgs = [Organisation("hq", "Centre", OrgKind.CENTRE, "BE")]
    orgs += [Organisation(m, m, rng.choice([OrgKind.NATION, OrgKind.CIVIL]), "FR") for m in members]
    kinds = {org.id: org.kind for org in orgs}
    workers = {org.id: lead_of(org) for org in orgs}
    people = [
        Person(
            f"p-{org.id}-{n}",
            org.id,
            "n",
            f"{n}@{org.id}.example",
            rng.choice(list(Role)),
            rng.random() > 0.15,
        )
        for org in orgs
        for n in range(rng.randint(1, 3))
    ]
    people = [p for p in people if p.role is not Role.ADMIN or p.org_id == "hq"]
    seed(store, orgs, [*workers.values(), *people])
    cases, items = CaseDesk(store), ItemDesk(store)
    known = Known()
    for n in range(rng.randint(1, 4)):
        member = rng.choice(members)
        opener = rng.choice([member, "hq"])
        view = cases.open(
            principal(workers[opener], kinds[opener]), incident(store, member, str(n))
        )
        number = view.case.id
        known.owners[number] = {member, opener}
        known.shares[number] = {}
        known.items[number] = {}
        others = [m for m in members if m not in (member, opener)]
        for other in rng.sample(others, k=rng.randint(0, min(2, len(others)))):
            level = rng.choice(SHARE_LEVELS)
            cases.share(principal(workers[member], kinds[member]), number, other, level)
            known.shares[number][other] = level
        authors = sorted(known.owners[number] | set(known.shares[number]))
        for _ in range(rng.randint(0, 6)):
            author = rng.choice(authors)
            who = principal(workers[author], kinds[author])
            level = rng.choice(list(TlpLevel))
            item = _add(rng, items, who, number, level)
            known.items[number][item] = (author, level)
    if rng.random() < 0.3:
        with store.transaction() as tx:
            tx.organisations.set_status(rng.choice(members), OrgStatus.SUSPENDED)
    principals = [principal(p, kinds[p.org_id]) for p in people]
    principals += [Principal("ghost", rng.choice(members), Role.ANALYST, OrgKind.NATION)]
    directory = {p.id: p for p in [*workers.values(), *people]}
    return cases, items, principals, known, directory


def _add(rng: random.Random, items: ItemDesk, who: Principal, case: int, level: TlpLevel) -> str:
    kind = rng.choice(["comment", "observable", "task", "evidence"])
    if kind == "comment":
        return items.add_comment(who, case, "note", level).id
    if kind == "observable":
        return items.add_observable(who, case, "ip", f"192.0.2.{rng.randint(1, 9)}", level).id
    if kind == "task":
        return items.add_task(who, case, "do it", level).id
    return items.add_evidence(who, case, "f.bin", bytes([rng.randint(0, 3)]), level).id


def case_seen(who: Principal, known: Known, case: int) -> bool:
    """The oracle for a case: the centre, its owners, the members it is shared with."""
    return who.org_kind is OrgKind.CENTRE or who.org_id in known.owners[case] | set(
        known.shares[case]
    )


def item_seen(who: Principal, known: Known, case: int, item: str, active: bool) -> bool:
    """The oracle for an item, from docs/cases.md."""
    author, level = known.items[case][item]
    if not active:
        return False
    if author == who.org_id:
        return True
    if level is TlpLevel.RED:
        return False
    shared = known.shares[case].get(who.org_id)
    return who.org_id in known.owners[case] or (shared is not None and level <= shared)


def outcome(call: Callable[[], object]) -> tuple[str, str]:
    try:
        call()
    except ShieldwallError as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_every_case_path_answers_what_the_oracle_says(rng: random.Random) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cases-oracle-"))
    cases, items, principals, known, directory = build(rng, folder)
    suspended = _suspended(cases)
    absent_case = max(known.owners) + 1
    try:
        for who in principals:
            if who.role not in READERS:
                with pytest.raises(PermissionDeniedError):
                    cases.page(who)
                assert outcome(partial(cases.get, who, 1))[0] == "PermissionDeniedError"
                continue
            listed = [case.id for case in cases.page(who, limit=1000)]
            assert listed == sorted(c for c in known.owners if case_seen(who, known, c))
            hidden = outcome(partial(cases.get, who, absent_case))
            assert hidden == ("NotFoundError", f"case {absent_case} not found")
            person = directory.get(who.person_id)
            active = person is not None and person.active and who.org_id not in suspended
            for number in known.owners:
                _check_case(cases, items, who, known, number, active, absent_case)
    finally:
        cases.store.close()
        shutil.rmtree(folder, ignore_errors=True)


def _suspended(cases: CaseDesk) -> set[str]:
    with cases.store.reading() as tx:
        return {org.id for org in tx.organisations.list() if not org.active}


def _check_case(
    cases: CaseDesk,
    items: ItemDesk,
    who: Principal,
    known: Known,
    number: int,
    active: bool,
    absent: int,
) -> None:
    got = outcome(partial(cases.get, who, number))
    if not case_seen(who, known, number):
        assert got == ("NotFoundError", f"case {number} not found")
        assert got[1].replace(str(number), "N") == f"case {absent} not found".replace(
            str(absent), "N"
        )
        return
    view = cases.get(who, number)
    expected = {i for i in known.items[number] if item_seen(who, known, number, i, active)}
    assert {item.id for item in view.items} == expected
    shown = {entry.item_id for entry in view.timeline if entry.item_id is not None}
    assert shown == expected
    manager = who.org_kind is OrgKind.CENTRE or who.org_id in known.owners[number]
    shares = [entry.detail["org"] for entry in view.timeline if entry.action == "share"]
    assert shares == (list(known.shares[number]) if manager else [])
    assert {s.org_id for s in view.shares} == (set(known.shares[number]) if manager else set())
    absent_item = str(uuid.UUID(int=0))
    for item in [*known.items[number], absent_item]:
        answer = outcome(partial(items.evidence, who, number, item))
        if item in expected:
            assert answer[0] in ("ok", InputError.__name__)
        else:
            assert answer == (NotFoundError.__name__, f"item {item} of case {number} not found")

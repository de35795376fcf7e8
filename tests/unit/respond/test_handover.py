"""Shift handover: new and escalated incidents since the last handover, overdue tasks and
cases the caller may see, and what the wired sources report as waiting."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from shieldwall.model.case import TaskStatus
from shieldwall.model.errors import PermissionDeniedError
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import CaseDesk, HandoverDesk, HandoverItem, ItemDesk, handover_json
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import incidents
from tests.unit.respond.cases_world import fresh_store, incident, lead_of, principal, seed

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
HQ = Organisation("hq", "Centre", OrgKind.CENTRE, "BE")
ALPHA = Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
BRAVO = Organisation("bravo", "Bravo", OrgKind.MILITARY, "DE")
LIAISON = Person("alpha-liaison", "alpha", "L", "l@alpha.example", Role.LIAISON)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Waiting:
    """A source standing in for the playbooks' approvals."""

    def handover_items(self, who: Principal, since: datetime | None) -> Sequence[HandoverItem]:
        return [
            HandoverItem(kind="approval", ref=f"run-1/{who.org_id}", title="block 198.51.100.7")
        ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    built = fresh_store(tmp_path)
    seed(built, [HQ, ALPHA, BRAVO], [lead_of(HQ), lead_of(ALPHA), lead_of(BRAVO), LIAISON])
    yield built
    built.close()


def who(org: Organisation) -> Principal:
    return principal(lead_of(org), org.kind)


def raise_severity(store: SqlStore, number: int, severity: str) -> None:
    with store.transaction() as tx:
        tx.connection.execute(
            update(incidents).where(incidents.c.id == number).values(severity=severity)
        )


def test_what_changed_since_the_last_handover(store: SqlStore) -> None:
    clock = Clock()
    desk = HandoverDesk(store, approvals=Waiting(), clock=clock)
    first = incident(store, "alpha", "a1", "medium")
    incident(store, "bravo", "b1", "low")
    before = desk.report(who(ALPHA))
    assert ([i.id for i in before.new_incidents], before.since, before.taken) == (
        [first],
        None,
        False,
    )
    taken = desk.report(who(ALPHA), take=True)
    assert taken.taken and [i.id for i in taken.new_incidents] == [first]
    second = incident(store, "alpha", "a2", "low")
    raise_severity(store, first, "critical")
    after = desk.report(who(ALPHA))
    assert [i.id for i in after.new_incidents] == [second]
    assert [(e.incident.id, e.was, e.incident.severity) for e in after.escalated] == [
        (first, "medium", "critical")
    ]
    assert after.since is not None
    body = handover_json(after)
    assert body["pending_approvals"] == [
        {
            "kind": "approval",
            "ref": "run-1/alpha",
            "title": "block 198.51.100.7",
            "at": None,
            "detail": {},
        }
    ]
    assert body["open_requests"] is None  # not wired here: unavailable, not "nothing"
    centre = desk.report(who(HQ))
    assert {i.org_id for i in centre.new_incidents} == {"alpha", "bravo"}


def test_overdue_tasks_and_cases_through_the_gate(store: SqlStore) -> None:
    clock = Clock()
    cases, items = CaseDesk(store, clock=clock), ItemDesk(store, clock=clock)
    desk = HandoverDesk(store, clock=clock)
    mine = cases.open(who(ALPHA), incident(store, "alpha", "a1", "critical")).case.id
    theirs = cases.open(who(BRAVO), incident(store, "bravo", "b1", "low")).case.id
    soon = T0 + timedelta(minutes=30)
    open_task = items.add_task(who(ALPHA), mine, "isolate", TlpLevel.AMBER, due_at=soon)
    done = items.add_task(who(ALPHA), mine, "image", TlpLevel.AMBER, due_at=soon)
    items.set_task(who(ALPHA), mine, done.id, TaskStatus.DONE)
    hidden = items.add_task(who(BRAVO), theirs, "secret", TlpLevel.AMBER_STRICT, due_at=soon)
    assert desk.report(who(ALPHA)).overdue_tasks == []
    clock.now = T0 + timedelta(hours=2)
    report = desk.report(who(ALPHA))
    assert [t.id for t in report.overdue_tasks] == [open_task.id]
    assert [c.id for c in report.overdue_cases] == [mine]  # critical: 60 min; low: 3 days
    centre = desk.report(who(HQ))
    assert hidden.id not in {t.id for t in centre.overdue_tasks}  # not addressed to the centre
    cases.share(who(BRAVO), theirs, "alpha", TlpLevel.AMBER_STRICT)
    shared = desk.report(who(ALPHA))
    assert {t.id for t in shared.overdue_tasks} == {open_task.id, hidden.id}
    assert cases.get(who(ALPHA), mine).overdue is True


def test_liaisons_read_the_handover_but_do_not_take_it(store: SqlStore) -> None:
    desk = HandoverDesk(store)
    liaison = principal(LIAISON, OrgKind.NATION)
    assert desk.report(liaison).taken is False
    with pytest.raises(PermissionDeniedError):
        desk.report(liaison, take=True)
    with store.reading() as tx:
        assert tx.handovers.last("alpha") is None

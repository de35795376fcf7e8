"""Respond together, end to end (issue 11): an incident at one member starts the centre's
playbook; after 2 of 3 named members approve, a block measure is issued; every subscribed
member the measure is addressed to finds it in its list, and the member the gate excludes
does not. Real desks throughout (playbooks, measures, the gate), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall import access
from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConflictError
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.measures import MeasureFormat, Subscription
from shieldwall.model.playbook import RunStatus
from shieldwall.runtime import PlaybookWorker, Services, open_services
from tests.unit.respond.playbooks.builders import Book, shieldwall

BLOCKED = "203.0.113.66"
MEMBERS = ("alpha", "bravo", "charlie", "delta")


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    env = {"SHIELDWALL_DATA_DIR": str(tmp_path / "data")}
    if database_url:
        env["SHIELDWALL_DATABASE_URL"] = database_url
    opened = open_services(load_settings(env))
    access.add_organisation(
        opened.store, access.OPERATOR, Organisation("centre", "Centre", OrgKind.CENTRE, "BE")
    )
    for org in MEMBERS:
        access.add_organisation(
            opened.store, access.OPERATOR, Organisation(org, org.title(), OrgKind.NATION, "FR")
        )
    yield opened
    opened.close()


def _person(services: Services, org: str, role: Role) -> Principal:
    kind = OrgKind.CENTRE if org == "centre" else OrgKind.NATION
    person = access.add_person(
        services.store,
        access.OPERATOR,
        Person("", org, f"{org} {role}", f"{role}@{org}.example", role),
    )
    return Principal(person.id, org, role, kind, "BE" if org == "centre" else "FR")


def _playbook() -> Book:
    """Two of alpha, bravo, charlie approve; then block the address for those three."""
    book = Book("coalition block after an incident")
    approve = book.action(
        shieldwall("approval", members=["alpha", "bravo", "charlie"], required=2, expires_in=600)
    )
    block = book.action(
        shieldwall(
            "measure.issue",
            kind="ip",
            value=BLOCKED,
            reason="C2 seen at a member",
            tlp="amber+strict",
            members=["alpha", "bravo", "charlie"],
            days=7,
        )
    )
    failed = book.action(shieldwall("notify", subject="block not approved", tlp="green"))
    book.link(book.start, on_completion=approve)
    book.link(approve, on_success=block, on_failure=failed)
    book.link(block, on_completion=book.end())
    book.link(failed, on_completion=book.end())
    return book


def _blocked_in_list(services: Services, sensor: Principal) -> bool:
    built = services.measures.build(sensor, sensor.org_id, "default", MeasureFormat.PLAIN)
    return BLOCKED in built.files[MeasureFormat.PLAIN].decode()


def test_an_incident_approved_by_two_of_three_blocks_at_every_member_addressed(
    services: Services,
) -> None:
    centre_lead = _person(services, "centre", Role.LEAD)
    leads = {org: _person(services, org, Role.LEAD) for org in MEMBERS}
    sensors = {org: _person(services, org, Role.SENSOR) for org in MEMBERS}
    for org in MEMBERS:
        services.measures.subscribe(leads[org], Subscription(org, "default"))
        assert not _blocked_in_list(services, sensors[org])

    book = _playbook()
    triggers = [{"kind": "incident", "match": {"severity": ["high", "critical"]}}]
    services.playbooks.import_playbook(centre_lead, book.json(), triggers=triggers)
    worker = PlaybookWorker(services.playbooks, services.store)  # remembers where events end
    with services.store.transaction() as tx:
        tx.incidents.open("alpha", "C2 beacon on WS042", "high", "seed:alpha")
    worker.tick()  # offers the new incident: the playbook starts and waits for approval

    (run,) = services.playbooks.runs(centre_lead)
    assert run.status is RunStatus.WAITING
    (approval,) = services.playbooks.journal(centre_lead, run.id).approvals
    waiting = services.handover.report(leads["bravo"]).pending_approvals
    assert waiting is not None and [item.ref for item in waiting] == [str(approval.id)]
    delta_waits = services.handover.report(leads["delta"]).pending_approvals
    assert delta_waits == []  # not named: its handover does not learn of the run
    after_one = services.playbooks.decide(leads["alpha"], approval.id, True)
    assert after_one.status is RunStatus.WAITING
    assert not any(_blocked_in_list(services, sensors[org]) for org in MEMBERS)

    done = services.playbooks.decide(leads["charlie"], approval.id, True)
    journal = services.playbooks.journal(centre_lead, run.id).journal
    assert done.status is RunStatus.SUCCEEDED, [(e.kind, e.status, e.outputs) for e in journal]
    for org in ("alpha", "bravo", "charlie"):
        assert _blocked_in_list(services, sensors[org]), org
    assert not _blocked_in_list(services, sensors["delta"])  # not addressed: the gate keeps it

    assert services.handover.report(leads["bravo"]).pending_approvals == []  # decided
    worker.tick()  # nothing new: no second run, no second measure
    assert len(services.playbooks.runs(centre_lead)) == 1
    issued = [m for m in services.measures.measures(leads["alpha"]) if m.value == BLOCKED]
    assert len(issued) == 1 and issued[0].org_id == "centre"


def test_a_repeated_assistance_step_opens_one_request(services: Services) -> None:
    """A restart that repeats the step finds the request it opened: the step key is kept
    unique by the database, so even a second insert behind the desk's back is refused."""
    lead = _person(services, "alpha", Role.LEAD)
    actions = services.playbooks.runner.actions
    args = {"title": "ransomware on the mail relay", "needs": ["forensics"], "tlp": "green"}
    first = actions.request_assistance(lead, "run-1/action--x#1", args)
    assert actions.request_assistance(lead, "run-1/action--x#1", args) == first
    other = actions.request_assistance(lead, "run-1/action--x#2", args)
    assert other != first
    assert len(services.assistance.page(lead)) == 2
    with pytest.raises(ConflictError), services.store.transaction() as tx:
        found = tx.assistance.by_step_key("run-1/action--x#1")
        assert found is not None and found.id == first["request_id"]
        tx.assistance.add(found, "run-1/action--x#1")
    assert len(services.assistance.page(lead)) == 2

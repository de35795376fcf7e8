"""The console's world grown for approvals and requests for assistance: two more members
(charlie, named in the approval; delta, named nowhere), a lead of each member who signs in
with a password, and a centre playbook that waits for 2 of alpha, bravo and charlie."""

from __future__ import annotations

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from tests.unit.respond.playbooks.builders import Book, shieldwall
from tests.unit.web.world import PASSWORD, Console

VOTERS = ("alpha", "bravo", "charlie")
LEADS = {
    "bravo-lead@web.example": "bravo",
    "charlie-lead@web.example": "charlie",
    "delta-lead@web.example": "delta",
}
PLAYBOOK = "Coalition block of the C2 server"
STEP = "Two members approve the block"


def grow(console: Console) -> None:
    """Add charlie and delta and a lead (with a password) of bravo, charlie and delta."""
    store = console.services.store
    for org in (
        Organisation("charlie", "Charlie CERT", OrgKind.NATION, "NL", ("government",)),
        Organisation("delta", "Delta Energy", OrgKind.NATION, "PL", ("energy",)),
    ):
        accounts.add_organisation(store, OPERATOR, org)
    for email, org in LEADS.items():
        person = Person("", org, email.split("@")[0], email, Role.LEAD)
        console.people[email] = accounts.add_person(store, OPERATOR, person, PASSWORD).id


def two_of_three(expires_in: int = 3600) -> Book:
    """Approval by 2 of alpha, bravo and charlie, then an enrichment."""
    book = Book(PLAYBOOK)
    approve = book.action(
        shieldwall("approval", members=list(VOTERS), required=2, expires_in=expires_in),
        name=STEP,
    )
    enrich = book.action(shieldwall("enrich", techniques=["T1071"]), on_completion=book.end())
    book.link(book.start, on_completion=approve)
    book.link(approve, on_success=enrich, on_failure=book.end())
    return book


def start_run(console: Console, expires_in: int = 3600) -> int:
    """Import the playbook as the centre's and start a run: it waits for the members."""
    api, admin = console.world.client, console.world.auth("centre-admin")
    book = two_of_three(expires_in)
    imported = api.post("/api/v1/playbooks", content=book.json(), headers=admin)
    assert imported.status_code == 201, imported.text
    run = api.post(f"/api/v1/playbooks/{book.doc['id']}/runs", json={}, headers=admin).json()
    assert run["status"] == "waiting", run
    return int(run["id"])

"""The playbook worker: a new incident matching a trigger starts one run; a lapsed
approval is advanced to its failure path; a waiting run left by a stopped process resumes."""

from __future__ import annotations

from shieldwall.model.playbook import RunStatus
from shieldwall.respond import PlaybookDesk, Runner
from shieldwall.runtime import PlaybookWorker
from tests.unit.respond.playbooks.builders import Book, coalition_block, shieldwall
from tests.unit.respond.playbooks.conftest import Clock, OpenStore, analyst, lead
from tests.unit.respond.playbooks.recording import Recording


def test_new_incidents_start_matching_playbooks_once(open_store: OpenStore, clock: Clock) -> None:
    store, actions = open_store(), Recording()
    desk = PlaybookDesk(Runner(store, actions, clock=clock))
    with store.transaction() as tx:
        tx.incidents.open("alpha", "old", "critical", "seed:old")
    book = Book()
    book.link(
        book.start, on_completion=book.action(shieldwall("case.open"), on_completion=book.end())
    )
    desk.import_playbook(
        lead("alpha"),
        book.json(),
        triggers=[{"kind": "incident", "match": {"severity": "critical"}}],
    )
    worker = PlaybookWorker(desk, store, interval=3600)
    with store.transaction() as tx:
        tx.incidents.open("alpha", "new", "critical", "seed:new")
        tx.incidents.open("alpha", "minor", "low", "seed:minor")
    worker.tick()
    worker.tick()
    assert actions.count("open_case") == 1  # the new critical one; the old one was before
    [run] = desk.runs(lead("alpha"))
    assert run.trigger["kind"] == "incident" and run.status is RunStatus.SUCCEEDED


def test_lapsed_approvals_and_left_runs_are_advanced(open_store: OpenStore, clock: Clock) -> None:
    store, actions = open_store(), Recording()
    desk = PlaybookDesk(Runner(store, actions, clock=clock))
    book = coalition_block(["alpha", "bravo"], 2, expires_in=60)
    desk.import_playbook(lead("hq"), book.json())
    run = desk.run(analyst("hq"), book.doc["id"])
    worker = PlaybookWorker(desk, store, interval=3600)
    worker.tick()
    assert actions.count("notify") == 0
    clock.advance(61)
    worker.tick()
    assert actions.count("notify") == 1 and actions.count("issue_measure") == 0
    assert desk.journal(lead("hq"), run.id).run.status is RunStatus.SUCCEEDED  # type: ignore[union-attr]

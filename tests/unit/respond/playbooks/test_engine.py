"""The workflow model run for real: branches, loops, parallel, sub-playbooks, http-api,
failures, dry runs, triggers and the journal's unique keys (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.playbook import JournalEntry, RunRecord, RunStatus
from shieldwall.respond import DryRun, Endpoint, PlaybookDesk, Runner
from tests.unit.respond.playbooks.builders import (
    ENDPOINT_URL,
    Book,
    coalition_block,
    ident,
    shieldwall,
)
from tests.unit.respond.playbooks.conftest import Clock, OpenStore, analyst, lead
from tests.unit.respond.playbooks.recording import Recording


class Counting(Recording):
    """Enrich answers how many times it was called, as ``__count__``."""

    def enrich(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        self._do("enrich", key, args)
        return {"__count__": self.count("enrich")}


def _desk(open_store: OpenStore, actions: Recording, clock: Clock) -> PlaybookDesk:
    endpoints = [Endpoint("soar", ENDPOINT_URL)]
    return PlaybookDesk(Runner(open_store(), actions, endpoints, clock=clock))


def _run(desk: PlaybookDesk, book: Book, **variables: Any) -> RunRecord:
    desk.import_playbook(lead("hq"), book.json())
    run = desk.run(analyst("hq"), book.doc["id"], variables)
    assert isinstance(run, RunRecord)
    return run


def test_branches_loops_and_parallel_steps(open_store: OpenStore, clock: Clock) -> None:
    actions = Counting()
    desk = _desk(open_store, actions, clock)
    book = Book()
    book.variable("__count__", 0)
    book.variable("__level__", "high")
    body = book.action(shieldwall("enrich"), out_args=["__count__"], on_completion=book.end())
    loop = book.step(
        "while-condition", condition="__count__:value < 3", on_true=body, on_false=book.end()
    )
    high = book.action(shieldwall("case.open", title="__level__:value"), on_completion=book.end())
    low = book.action(shieldwall("notify"), on_completion=book.end())
    switch = book.step(
        "switch-condition",
        switch="__level__:value",
        cases={"high": high, "default": low},
        on_completion=loop,
    )
    a = book.action(shieldwall("task.open", n=1), on_completion=book.end())
    b = book.action(shieldwall("task.open", n=2), on_completion=book.end())
    parallel = book.step("parallel", next_steps=[a, b], on_completion=switch)
    yes = book.action(shieldwall("indicator.publish"), on_completion=book.end())
    cond = book.step(
        "if-condition",
        condition="[__level__:value = 'high']",
        on_true=yes,
        on_false=book.end(),
        on_completion=parallel,
    )
    book.link(book.start, on_completion=cond)
    run = _run(desk, book)
    assert run.status is RunStatus.SUCCEEDED, run.outcome
    assert [c[0] for c in actions.calls] == [
        "publish_indicator",
        "open_task",
        "open_task",
        "open_case",
        "enrich",
        "enrich",
        "enrich",
    ]
    assert actions.calls[3][2] == {"title": "high"}
    assert len({c[1] for c in actions.calls}) == 7  # each occurrence has its own key
    assert desk.runner.advance(run.id).status is RunStatus.SUCCEEDED
    assert len(actions.calls) == 7
    kinds = [entry.kind for entry in desk.journal(lead("hq"), run.id).journal]
    assert kinds.count("while-condition") == 4  # three passes, then the exit
    assert kinds.count("if-condition") == kinds.count("switch-condition") == 1


def test_http_api_goes_to_the_endpoint_with_variables_resolved(
    open_store: OpenStore, clock: Clock
) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    book = Book()
    book.variable("__ip__", "192.0.2.1", external=True)
    agent = ident("http-api")
    book.doc["agent_definitions"] = {
        agent: {"type": "http-api", "address": {"url": [ENDPOINT_URL]}}
    }
    step = book.action(
        {
            "type": "http-api",
            "command": "POST /block HTTP/1.1",
            "headers": {"x-a": ["1", "2"]},
            "content": '{"ip": "__ip__:value"}',
        },
        agent=agent,
        on_completion=book.end(),
    )
    book.link(book.start, on_completion=step)
    run = _run(desk, book, __ip__="192.0.2.99")
    assert run.status is RunStatus.SUCCEEDED
    [(method, key, request)] = actions.calls
    assert key.startswith(f"run-{run.id}/")
    assert (method, request.method, request.url) == ("http_api", "POST", ENDPOINT_URL + "/block")
    assert request.body == '{"ip": "192.0.2.99"}' and request.headers == {"x-a": "1, 2"}


def test_a_failure_without_on_failure_fails_the_run_after_the_exception_step(
    open_store: OpenStore, clock: Clock
) -> None:
    actions = Recording(fail={"issue_measure"})
    desk = _desk(open_store, actions, clock)
    book = Book()
    step = book.action(shieldwall("measure.issue"), on_success=book.end())
    handler = book.action(shieldwall("notify", text="failed"), on_completion=book.end())
    book.doc["workflow_exception"] = handler
    book.link(book.start, on_completion=step)
    run = _run(desk, book)
    assert run.status is RunStatus.FAILED and step in run.outcome
    assert [c[0] for c in actions.calls] == ["issue_measure", "notify"]
    failed = [e for e in desk.journal(lead("hq"), run.id).journal if e.status == "failed"]
    assert failed[0].outputs == {"error": "issue_measure failed"}


def test_a_playbook_action_runs_the_stored_playbook(open_store: OpenStore, clock: Clock) -> None:
    actions = Counting()
    desk = _desk(open_store, actions, clock)
    inner = Book("inner")
    inner.variable("__count__", 0)
    inner.variable("__ip__", "")
    enrich = inner.action(
        shieldwall("enrich", value="__ip__:value"),
        out_args=["__count__"],
        on_completion=inner.end(),
    )
    inner.link(inner.start, on_completion=enrich)
    desk.import_playbook(lead("hq"), inner.json())
    outer = Book("outer")
    outer.variable("__count__", 0)
    outer.variable("__ip__", "192.0.2.5")
    notify = outer.action(shieldwall("notify", n="__count__:value"), on_completion=outer.end())
    call = outer.step(
        "playbook-action",
        playbook_id=inner.doc["id"],
        in_args=["__ip__"],
        out_args=["__count__"],
        on_success=notify,
    )
    outer.link(outer.start, on_completion=call)
    run = _run(desk, outer)
    assert run.status is RunStatus.SUCCEEDED, run.outcome
    assert actions.calls[0][2] == {"value": "192.0.2.5"}
    assert actions.calls[1][2] == {"n": 1}


def test_a_dry_run_shows_the_steps_and_writes_nothing(open_store: OpenStore, clock: Clock) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    book = coalition_block(["alpha", "bravo"], 2)
    desk.import_playbook(lead("hq"), book.json())
    plan = desk.run(analyst("hq"), book.doc["id"], dry_run=True)
    assert isinstance(plan, DryRun) and plan.status is RunStatus.SUCCEEDED
    assert [s.kind for s in plan.steps] == ["enrich", "approval", "measure.issue"]
    assert actions.calls == []
    assert desk.runs(lead("hq")) == []


def test_triggers_start_a_run_once_per_subject_and_schedule_slot(
    open_store: OpenStore, clock: Clock
) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    book = Book()
    book.variable("__title__", "none", external=True)
    step = book.action(shieldwall("case.open", title="__title__:value"), on_completion=book.end())
    book.link(book.start, on_completion=step)
    triggers = [
        {"kind": "incident", "match": {"severity": ["high", "critical"]}},
        {"kind": "schedule", "every": 3600},
    ]
    desk.import_playbook(lead("alpha"), book.json(), triggers=triggers)
    incident = {"id": 7, "org_id": "alpha", "severity": "critical", "title": "ransomware"}
    first = desk.on_event("incident", incident)
    again = desk.on_event("incident", incident)
    assert [r.id for r in first] == [r.id for r in again] and len(first) == 1
    assert desk.on_event("incident", {"id": 8, "org_id": "alpha", "severity": "low"}) == []
    bravos = {"id": 9, "org_id": "bravo", "severity": "critical", "title": "bravo's"}
    assert desk.on_event("incident", bravos) == []  # alpha's playbook never sees bravo's
    assert desk.on_event("alert", incident) == []
    assert actions.calls == [("open_case", f"run-{first[0].id}/{step}#1", {"title": "ransomware"})]
    assert len(desk.due()) == 1 and len({r.id for r in desk.due()}) == 1
    clock.advance(3600)
    assert desk.due()[0].id != first[0].id
    assert len(desk.runs(lead("alpha"))) == 3


def test_the_journal_key_is_unique_in_the_database(open_store: OpenStore, clock: Clock) -> None:
    desk = _desk(open_store, Recording(), clock)
    run = _run(desk, coalition_block(["alpha"], 1))
    entry = JournalEntry(run.id, "run-x/step#1", "action--x", "notify", "ok", {}, {}, "me")
    with desk.runner.store.transaction() as tx:
        assert tx.playbooks.record(entry) is True
    with desk.runner.store.transaction() as tx:
        assert tx.playbooks.record(entry) is False
    with desk.runner.store.reading() as tx:
        assert [e.key for e in tx.playbooks.journal(run.id)].count("run-x/step#1") == 1


def test_members_import_the_same_playbook_each_as_its_own_copy(
    open_store: OpenStore, clock: Clock
) -> None:
    desk = _desk(open_store, Recording(), clock)
    book = coalition_block(["alpha"], 1)
    pid = book.doc["id"]
    desk.import_playbook(lead("alpha"), book.json(), triggers=[{"kind": "schedule", "every": 60}])
    book.doc["name"] = "bravo's copy"
    desk.import_playbook(lead("bravo"), book.json())  # no conflict, no hint of alpha's
    assert desk.get(lead("alpha"), pid).triggers == [{"kind": "schedule", "every": 60}]
    assert desk.get(lead("bravo"), pid).name == "bravo's copy"
    with pytest.raises(NotFoundError) as hidden:
        desk.get(lead("bravo"), pid, owner="alpha")
    with pytest.raises(NotFoundError) as absent:
        desk.get(lead("bravo"), pid, owner="charlie")
    assert str(hidden.value) == str(absent.value)
    assert desk.get(lead("hq"), pid, owner="alpha").org_id == "alpha"
    assert {r.org_id for r in desk.playbooks(lead("hq"))} == {"alpha", "bravo"}
    run = desk.run(analyst("bravo"), pid)
    assert isinstance(run, RunRecord) and run.playbook_org == "bravo"

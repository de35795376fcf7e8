"""Durable runs: N-of-M approval, restart while waiting, expiry, rejection (issue 11).

Every test runs on SQLite and on PostgreSQL; the engine, the journal, the approvals and
the resume are the real ones, only the effects go to a recording port.
"""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.model.errors import ConflictError, NotFoundError, PermissionDeniedError
from shieldwall.model.playbook import ApprovalStatus, RunRecord, RunStatus
from shieldwall.respond import PlaybookDesk, Runner
from tests.unit.respond.playbooks.builders import Book, coalition_block, shieldwall
from tests.unit.respond.playbooks.conftest import Clock, OpenStore, analyst, lead
from tests.unit.respond.playbooks.recording import Recording


def _desk(open_store: OpenStore, actions: Recording, clock: Clock) -> PlaybookDesk:
    return PlaybookDesk(Runner(open_store(), actions, clock=clock))


def _started(desk: PlaybookDesk, members: list[str], required: int) -> tuple[RunRecord, int]:
    book = coalition_block(members, required)
    desk.import_playbook(lead("hq"), book.json())
    run = desk.run(analyst("hq"), book.doc["id"])
    assert isinstance(run, RunRecord)
    assert run.status is RunStatus.WAITING
    view = desk.journal(lead("hq"), run.id)
    assert [a.status.value for a in view.approvals] == ["pending"]
    return run, view.approvals[0].id


def test_two_of_three_members_approve_and_the_measure_is_issued_once(
    open_store: OpenStore, clock: Clock
) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    run, approval = _started(desk, ["alpha", "bravo", "charlie"], 2)
    assert desk.decide(lead("alpha"), approval, True).status is RunStatus.WAITING
    assert actions.count("issue_measure") == 0
    done = desk.decide(lead("charlie"), approval, True)
    assert done.status is RunStatus.SUCCEEDED
    assert actions.count("issue_measure") == 1
    assert actions.count("notify") == 0
    assert actions.count("enrich") == 1
    measure = next(call for call in actions.calls if call[0] == "issue_measure")
    assert measure[2] == {"kind": "block", "value": "203.0.113.7"}
    entry = next(e for e in desk.journal(lead("hq"), run.id).journal if e.kind == "approval")
    assert entry.actor == "lead-alpha@alpha, lead-charlie@charlie"
    with pytest.raises(ConflictError):  # decided: a late third vote changes nothing
        desk.decide(lead("bravo"), approval, True)
    assert desk.runner.advance(run.id).status is RunStatus.SUCCEEDED
    assert actions.count("issue_measure") == 1


def test_a_restart_while_waiting_resumes_without_repeating_any_step(
    open_store: OpenStore, clock: Clock
) -> None:
    actions = Recording()
    first = _desk(open_store, actions, clock)
    run, approval = _started(first, ["alpha", "bravo", "charlie"], 2)
    first.decide(lead("bravo"), approval, True)
    first.runner.store.close()  # the process stops here, the run waiting

    second = _desk(open_store, actions, clock)  # a new store and runner on the same database
    resumed = second.runner.resume_waiting()
    assert [r.status for r in resumed] == [RunStatus.WAITING]
    assert actions.count("enrich") == 1  # resuming replays from the journal
    done = second.decide(lead("alpha"), approval, True)
    assert done.status is RunStatus.SUCCEEDED
    keys = [call[1] for call in actions.calls]
    assert len(keys) == len(set(keys)) == 2
    assert [call[0] for call in actions.calls] == ["enrich", "issue_measure"]
    assert all(key.startswith(f"run-{run.id}/") for key in keys)


def test_an_expired_approval_takes_the_failure_path(open_store: OpenStore, clock: Clock) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    run, approval = _started(desk, ["alpha", "bravo", "charlie"], 2)
    desk.decide(lead("alpha"), approval, True)
    clock.advance(3601)
    with pytest.raises(ConflictError):
        desk.decide(lead("bravo"), approval, True)
    [expired] = desk.runner.expire_due()
    assert expired.status is RunStatus.SUCCEEDED  # the failure path ends at its own end step
    assert actions.count("issue_measure") == 0
    assert actions.count("notify") == 1
    view = desk.journal(lead("hq"), run.id)
    assert [a.status.value for a in view.approvals] == ["expired"]


def test_a_rejection_takes_the_failure_path(open_store: OpenStore, clock: Clock) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    _, approval = _started(desk, ["alpha"], 1)
    done = desk.decide(lead("alpha"), approval, False)
    assert done.status is RunStatus.SUCCEEDED
    assert (actions.count("issue_measure"), actions.count("notify")) == (0, 1)


def test_two_of_three_fail_once_two_members_said_no(open_store: OpenStore, clock: Clock) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    _, approval = _started(desk, ["alpha", "bravo", "charlie"], 2)
    assert desk.decide(lead("alpha"), approval, False).status is RunStatus.WAITING
    assert desk.decide(lead("bravo"), approval, False).status is RunStatus.SUCCEEDED
    assert (actions.count("issue_measure"), actions.count("notify")) == (0, 1)


def test_only_named_leads_decide_and_others_see_nothing(
    open_store: OpenStore, clock: Clock
) -> None:
    desk = _desk(open_store, Recording(), clock)
    run, approval = _started(desk, ["alpha", "bravo", "charlie"], 2)
    with pytest.raises(NotFoundError) as hidden:
        desk.decide(lead("delta"), approval, True)
    with pytest.raises(NotFoundError) as absent:
        desk.decide(lead("delta"), approval + 1000, True)
    assert str(hidden.value) == str(absent.value)
    with pytest.raises(NotFoundError):
        desk.journal(lead("delta"), run.id)
    assert desk.runs(lead("delta")) == []
    assert [r.id for r in desk.runs(analyst("alpha"))] == [run.id]
    with pytest.raises(PermissionDeniedError):
        desk.decide(analyst("alpha"), approval, True)
    with pytest.raises(PermissionDeniedError):
        desk.decide(lead("hq"), approval, True)  # the centre does not vote for members
    desk.decide(lead("alpha"), approval, True)
    with pytest.raises(ConflictError):  # one vote per organisation
        desk.decide(lead("alpha"), approval, True)


def test_two_passes_at_once_carry_out_the_measure_once(open_store: OpenStore, clock: Clock) -> None:
    """Two replicas advancing the same run together: the journal's claim lets one act."""
    import threading
    import time

    class Slow(Recording):
        def issue_measure(self, who: Any, key: str, args: Any) -> Any:
            time.sleep(0.5)
            return super().issue_measure(who, key, args)

    actions = Slow()
    desk = _desk(open_store, actions, clock)
    run, approval = _started(desk, ["alpha"], 1)
    with desk.runner.store.transaction() as tx:  # approved, as a decision would leave it
        tx.playbooks.vote(approval, "alpha", "lead-alpha", True)
        tx.playbooks.decide(approval, ApprovalStatus.APPROVED)
    other = Runner(open_store(), actions, clock=clock)
    threads = [
        threading.Thread(target=runner.advance, args=(run.id,)) for runner in (desk.runner, other)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert actions.count("issue_measure") == 1
    assert desk.runner.resume_running() == []  # nothing left running
    assert desk.runner.advance(run.id).status is RunStatus.SUCCEEDED
    assert actions.count("issue_measure") == 1


def test_one_lead_of_the_centre_approves_a_centre_approval(
    open_store: OpenStore, clock: Clock
) -> None:
    actions = Recording()
    desk = _desk(open_store, actions, clock)
    book = Book("centre lead decides")
    approve = book.action(shieldwall("approval", approvers="centre-lead"))
    block = book.action(shieldwall("measure.issue", kind="block"), on_completion=book.end())
    book.link(book.start, on_completion=approve)
    book.link(approve, on_success=block, on_failure=book.end())
    desk.import_playbook(lead("hq"), book.json())
    run = desk.run(analyst("hq"), book.doc["id"])
    assert isinstance(run, RunRecord) and run.status is RunStatus.WAITING
    (approval,) = desk.pending(lead("hq"))
    assert approval.members == () and approval.required == 1
    with pytest.raises(NotFoundError):  # a member's lead is not concerned at all
        desk.decide(lead("alpha"), approval.id, True)
    with pytest.raises(PermissionDeniedError):  # an analyst of the centre is not a lead
        desk.decide(analyst("hq"), approval.id, True)
    assert desk.decide(lead("hq"), approval.id, True).status is RunStatus.SUCCEEDED
    assert actions.count("issue_measure") == 1

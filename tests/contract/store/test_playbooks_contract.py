"""The playbook repository on SQLite and PostgreSQL: every idempotency key the database
enforces (a run's start key, a journal key, one vote per organisation) and ended runs
that stay ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.model.playbook import (
    ApprovalStatus,
    JournalEntry,
    NewRun,
    PlaybookRecord,
    RunStatus,
)
from shieldwall.store.sql.store import SqlStore

PLAYBOOK = "playbook--00000000-0000-4000-8000-000000000001"


def _run(store: SqlStore) -> int:
    with store.transaction() as tx:
        tx.organisations.add(Organisation("alpha", "Alpha", OrgKind.NATION, "FR"))
        tx.playbooks.save(PlaybookRecord(PLAYBOOK, "p", "alpha", {"id": PLAYBOOK}, []))
        new = NewRun("alpha", PLAYBOOK, "manual:1", "alpha", ("alpha",), {"person_id": "p"}, {}, {})
        first, created = tx.playbooks.start(new)
        again, created_again = tx.playbooks.start(new)
    assert created and not created_again and first.id == again.id
    return first.id


def test_start_keys_journal_keys_and_votes_are_unique(store: SqlStore) -> None:
    run_id = _run(store)
    claim = JournalEntry(run_id, "run-1/a#1", "action--a", "notify", "running", {"x": 1}, {}, "p")
    with store.transaction() as tx:
        assert tx.playbooks.record(claim) is True
        assert tx.playbooks.record(claim) is False
        assert tx.playbooks.finish("run-1/a#1", "ok", {"done": True}) is True
        assert tx.playbooks.finish("run-1/a#1", "failed", {}) is False  # not running any more
        approval = tx.playbooks.add_approval(
            run_id,
            "run-1/b#1",
            "action--b",
            ["alpha", "bravo"],
            2,
            datetime.now(UTC) + timedelta(hours=1),
        )
        same = tx.playbooks.add_approval(run_id, "run-1/b#1", "action--b", [], 1, datetime.now(UTC))
        assert same.id == approval.id and same.members == ("alpha", "bravo")
        assert tx.playbooks.vote(approval.id, "alpha", "p1", True) is True
        assert tx.playbooks.vote(approval.id, "alpha", "p2", False) is False
    with store.reading() as tx:
        [entry] = tx.playbooks.journal(run_id)
        assert (entry.status, entry.outputs) == ("ok", {"done": True})
        found = tx.playbooks.approval_by_id(approval.id)
        assert found is not None and [v.person_id for v in found.votes] == ["p1"]
        assert tx.playbooks.approvals(ApprovalStatus.PENDING, run_ids=[run_id])[0].id == approval.id


def test_an_ended_run_stays_ended_and_scopes_filter_runs(store: SqlStore) -> None:
    run_id = _run(store)
    with store.transaction() as tx:
        tx.playbooks.set_run(run_id, RunStatus.SUCCEEDED, "completed")
        tx.playbooks.set_run(run_id, RunStatus.WAITING, "late pass")
    with store.reading() as tx:
        run = tx.playbooks.run(run_id)
        assert run is not None and (run.status, run.outcome) == (RunStatus.SUCCEEDED, "completed")
        assert [r.id for r in tx.playbooks.runs({"alpha"})] == [run_id]
        assert tx.playbooks.runs({"bravo"}) == []
        assert [p.id for p in tx.playbooks.list({"alpha"})] == [PLAYBOOK]
        assert tx.playbooks.list({"bravo"}) == []

"""Playbooks as people and the pipeline use them, every read and write through the gate.

The front door of ``respond/playbooks``: import (checked, every problem listed), export,
validate, list; start a run by hand, by a trigger or on a schedule; read runs, journals
and approvals (a member sees only what concerns it, the rest is *not found*); decide an
approval, which advances the run at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import ConflictError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.playbook import (
    ApprovalRecord,
    ApprovalStatus,
    JournalEntry,
    PlaybookRecord,
    RunRecord,
    RunStatus,
)
from shieldwall.policy.playbooks import (
    may_see_playbook,
    playbook_scope,
    require,
    visible_run,
    voting_org,
)
from shieldwall.policy.roles import Action
from shieldwall.respond.playbooks.codec import Form, export_playbook, load_playbook, problems_of
from shieldwall.respond.playbooks.engine import playbook_of
from shieldwall.respond.playbooks.problems import Problem
from shieldwall.respond.playbooks.reading import read_json, read_yaml
from shieldwall.respond.playbooks.runner import Runner
from shieldwall.respond.playbooks.starts import event_starts, scheduled_starts, start_run
from shieldwall.respond.playbooks.triggers import check_triggers
from shieldwall.respond.playbooks.voting import tally

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class RunView:
    """One run with its journal and its approvals."""

    run: RunRecord
    journal: Sequence[JournalEntry]
    approvals: Sequence[ApprovalRecord]


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a run would do now: its end and every step it would take."""

    status: RunStatus
    outcome: str
    steps: Sequence[JournalEntry]


@dataclass
class PlaybookDesk:
    """Playbooks, runs and approvals, for one caller at a time."""

    runner: Runner

    def import_playbook(
        self, who: Principal, data: bytes | str, *, form: Form = "json", triggers: Any = None
    ) -> PlaybookRecord:
        """Check and store a playbook as the caller's organisation's copy (a new version of
        the same id replaces it; other organisations' copies are theirs)."""
        require(who, Action.PLAYBOOK_MANAGE)
        checked = check_triggers(triggers)
        runner = self.runner
        playbook = load_playbook(
            data,
            endpoints=runner.endpoints,
            form=form,
            limits=runner.limits,
            signing=runner.signing,
            now=runner.clock(),
        )
        record = PlaybookRecord(
            playbook.id, playbook.name, who.org_id, dict(playbook.document), checked
        )
        with self.runner.store.transaction() as tx:
            tx.playbooks.save(record)
            tx.audit.append(
                AuditRecord(who.person_id, who.org_id, "playbook.import", "playbook", playbook.id)
            )
            stored = tx.playbooks.get(who.org_id, playbook.id)
        assert stored is not None
        return stored

    def set_triggers(
        self, who: Principal, playbook_id: str, triggers: Any, owner: str | None = None
    ) -> PlaybookRecord:
        """Replace what starts a playbook (a list of triggers, :mod:`.triggers`)."""
        require(who, Action.PLAYBOOK_MANAGE)
        checked = check_triggers(triggers)
        record = self.get(who, playbook_id, owner)
        updated = PlaybookRecord(record.id, record.name, record.org_id, record.document, checked)
        with self.runner.store.transaction() as tx:
            tx.playbooks.save(updated)
            tx.audit.append(
                AuditRecord(who.person_id, who.org_id, "playbook.triggers", "playbook", record.id)
            )
        return self.get(who, playbook_id, owner)

    def validate(self, who: Principal, data: bytes | str, *, form: Form = "json") -> list[Problem]:
        """Every problem of a playbook, nothing stored (empty: it would be accepted)."""
        require(who, Action.PLAYBOOK_READ)
        limits = self.runner.limits
        value = (
            read_yaml(data if isinstance(data, str) else data.decode("utf-8", "replace"), limits)
            if form == "yaml"
            else read_json(data, limits)
        )
        runner = self.runner
        return problems_of(
            value, runner.endpoints, limits, signing=runner.signing, now=runner.clock()
        )[1]

    def get(self, who: Principal, playbook_id: str, owner: str | None = None) -> PlaybookRecord:
        """One organisation's copy (the caller's own unless ``owner`` names another);
        NotFoundError when absent or hidden."""
        playbook_scope(who)
        with self.runner.store.reading() as tx:
            record = tx.playbooks.get(owner or who.org_id, playbook_id)
        if record is None or not may_see_playbook(who, record.org_id):
            raise NotFoundError(f"playbook {playbook_id} not found")
        return record

    def export(self, who: Principal, playbook_id: str, owner: str | None = None) -> bytes:
        """The playbook as CACAO 2.0 JSON."""
        return export_playbook(playbook_of(self.get(who, playbook_id, owner).document))

    def playbooks(self, who: Principal) -> Sequence[PlaybookRecord]:
        """Playbooks the caller may see."""
        scope = playbook_scope(who)
        with self.runner.store.reading() as tx:
            return tx.playbooks.list(scope)

    def run(
        self,
        who: Principal,
        playbook_id: str,
        variables: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
        start_key: str | None = None,
        owner: str | None = None,
    ) -> RunRecord | DryRun:
        """Start a run by hand (or show what it would do); the run as it stands after."""
        require(who, Action.PLAYBOOK_RUN)
        record = self.get(who, playbook_id, owner)
        playbook = playbook_of(record.document)
        given = dict(variables or {})
        if dry_run:
            return DryRun(*self.runner.dry_run(playbook, who, given, record.org_id))
        key = start_key or f"manual:{who.person_id}:{self.runner.clock().isoformat()}:{playbook_id}"
        return start_run(
            self.runner, record, who, given, key, {"kind": "manual", "by": who.person_id}
        )

    def on_event(self, kind: str, subject: Mapping[str, Any]) -> list[RunRecord]:
        """Start every playbook whose trigger matches (the pipeline's and share's hook)."""
        return event_starts(self.runner, kind, subject)

    def due(self) -> list[RunRecord]:
        """Start the scheduled playbooks whose current slot has no run yet."""
        return scheduled_starts(self.runner)

    def runs(
        self, who: Principal, *, status: RunStatus | None = None, after: int = 0, limit: int = 100
    ) -> Sequence[RunRecord]:
        """Runs that concern the caller, oldest first after id ``after``."""
        scope = playbook_scope(who)
        with self.runner.store.reading() as tx:
            return tx.playbooks.runs(
                scope, status=status, after=after, limit=max(1, min(limit, MAX_PAGE))
            )

    def journal(self, who: Principal, run_id: int) -> RunView:
        """A run with its journal and approvals; NotFoundError when absent or hidden."""
        playbook_scope(who)
        with self.runner.store.reading() as tx:
            run = tx.playbooks.run(run_id)
            visible_run(who, run.concerns if run else None)
            assert run is not None
            approvals = [
                a for s in ApprovalStatus for a in tx.playbooks.approvals(s, run_ids=[run_id])
            ]
            return RunView(run, tx.playbooks.journal(run_id), sorted(approvals, key=lambda a: a.id))

    def pending(self, who: Principal) -> Sequence[ApprovalRecord]:
        """Pending approvals of the runs that concern the caller."""
        scope = playbook_scope(who)
        with self.runner.store.reading() as tx:
            runs = {
                run.id for run in tx.playbooks.runs(scope, status=RunStatus.WAITING, limit=10_000)
            }
            return tx.playbooks.approvals(ApprovalStatus.PENDING, run_ids=runs)

    def decide(self, who: Principal, approval_id: int, approve: bool) -> RunRecord:
        """Approve or reject for the caller's organisation; the run advances at once."""
        with self.runner.store.transaction() as tx:
            approval = tx.playbooks.approval_by_id(approval_id)
            run = tx.playbooks.run(approval.run_id) if approval else None
            visible_run(who, run.concerns if run else None)
            assert approval is not None and run is not None
            org = voting_org(who, approval.members)
            if (
                approval.status is not ApprovalStatus.PENDING
                or approval.expires_at <= self.runner.clock()
            ):
                raise ConflictError("the approval is no longer open")
            if not tx.playbooks.vote(approval_id, org, who.person_id, approve):
                raise ConflictError(f"{org} has already decided")
            decided = tally(tx.playbooks.approval_by_id(approval_id))  # type: ignore[arg-type]
            if decided is not ApprovalStatus.PENDING:
                tx.playbooks.decide(approval_id, decided)
            verb = "approve" if approve else "reject"
            tx.audit.append(
                AuditRecord(
                    who.person_id,
                    who.org_id,
                    f"playbook.{verb}",
                    "playbook-approval",
                    str(approval_id),
                )
            )
        return self.runner.advance(run.id)

"""Advancing durable runs, and dry runs that show what would happen.

``advance`` walks a run as far as it can go (:mod:`.engine`) and stores where it stands:
succeeded, failed (with the step and the reason), or waiting for an approval. It is
safe to call at any time and any number of times: after an approval is decided, after
an approval expires, after a restart (:meth:`Runner.resume_waiting`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import LimitExceededError, NotFoundError
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.playbook import ApprovalStatus, JournalEntry, RunRecord, RunStatus
from shieldwall.respond.playbooks.actions import Actions, Endpoint
from shieldwall.respond.playbooks.context import (
    BusyError,
    RunContext,
    StepFailedError,
    WaitingError,
    initial_variables,
)
from shieldwall.respond.playbooks.document import Playbook
from shieldwall.respond.playbooks.engine import Walker, playbook_of
from shieldwall.respond.playbooks.journal import DryJournal, Journal, StoreJournal
from shieldwall.respond.playbooks.limits import DEFAULT_LIMITS, PlaybookLimits
from shieldwall.respond.playbooks.signatures import ANY_SIGNER, SignaturePolicy
from shieldwall.respond.playbooks.steps import CommandRunner
from shieldwall.store.protocols import Store


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def principal_json(who: Principal) -> dict[str, Any]:
    """What a run keeps of who it acts for."""
    return {
        "person_id": who.person_id,
        "org_id": who.org_id,
        "role": who.role.value,
        "org_kind": who.org_kind.value,
    }


def principal_of(data: Mapping[str, Any]) -> Principal:
    """The principal a run acts for, as stored."""
    return Principal(
        person_id=str(data["person_id"]),
        org_id=str(data["org_id"]),
        role=Role(data["role"]),
        org_kind=OrgKind(data["org_kind"]),
    )


@dataclass
class Runner:
    """Runs playbooks durably against the store and the actions port."""

    store: Store
    actions: Actions
    endpoints: Sequence[Endpoint] = ()
    limits: PlaybookLimits = DEFAULT_LIMITS
    clock: Callable[[], datetime] = field(default=utc_now)
    signing: SignaturePolicy = ANY_SIGNER

    def advance(self, run_id: int) -> RunRecord:
        """Take the run as far as it goes now; the stored run afterwards."""
        with self.store.reading() as tx:
            run = tx.playbooks.run(run_id)
            record = tx.playbooks.get(run.playbook_org, run.playbook_id) if run else None
        if run is None or record is None:
            raise NotFoundError(f"run {run_id} not found")
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return run
        who = principal_of(run.principal)
        journal = StoreJournal(self.store, who.person_id, who.org_id)
        status, outcome = self._pass(playbook_of(record.document), run, who, journal)
        with self.store.transaction() as tx:
            tx.playbooks.set_run(run.id, status, outcome)
            if status is not run.status:
                tx.audit.append(
                    AuditRecord(
                        who.person_id,
                        who.org_id,
                        f"playbook.run.{status.value}",
                        "playbook-run",
                        str(run.id),
                        detail=outcome[:300],
                    )
                )
            stored = tx.playbooks.run(run.id)
        assert stored is not None
        return stored

    def dry_run(
        self,
        playbook: Playbook,
        who: Principal,
        variables: Mapping[str, Any],
        owner: str | None = None,
    ) -> tuple[RunStatus, str, list[JournalEntry]]:
        """What a run would do now: every step, approvals assumed given, nothing written."""
        now = self.clock()
        run = RunRecord(
            0,
            owner or who.org_id,
            playbook.id,
            "dry-run",
            who.org_id,
            (who.org_id,),
            principal_json(who),
            {},
            dict(variables),
            RunStatus.RUNNING,
            "",
            now,
            now,
        )
        journal = DryJournal(self.store, now)
        planned = _Planned()
        status, outcome = self._pass(playbook, run, who, journal, planned)
        return status, outcome, journal.entries

    def resume_waiting(self) -> list[RunRecord]:
        """Advance every run that waits (after a restart, or to notice expiries)."""
        with self.store.reading() as tx:
            ids = [
                run.id for run in tx.playbooks.runs(None, status=RunStatus.WAITING, limit=10_000)
            ]
            ids += [
                run.id for run in tx.playbooks.runs(None, status=RunStatus.RUNNING, limit=10_000)
            ]
        return [self.advance(run_id) for run_id in sorted(ids)]

    def resume_running(self) -> list[RunRecord]:
        """Advance runs left ``running`` (a pass that stopped, or found a step busy)."""
        with self.store.reading() as tx:
            ids = [r.id for r in tx.playbooks.runs(None, status=RunStatus.RUNNING, limit=10_000)]
        return [self.advance(run_id) for run_id in ids]

    def expire_due(self) -> list[RunRecord]:
        """Advance the runs whose pending approvals have lapsed (they take on_failure)."""
        now = self.clock()
        with self.store.reading() as tx:
            due = [
                a.run_id
                for a in tx.playbooks.approvals(ApprovalStatus.PENDING)
                if a.expires_at <= now
            ]
        return [self.advance(run_id) for run_id in sorted(set(due))]

    def _pass(
        self,
        playbook: Playbook,
        run: RunRecord,
        who: Principal,
        journal: Journal,
        actions: Actions | None = None,
    ) -> tuple[RunStatus, str]:
        ctx = RunContext(
            run, who, self.clock(), self.limits, initial_variables(playbook, run.variables)
        )
        commands = CommandRunner(journal, actions or self.actions, self.endpoints)
        walker = Walker(commands, lambda pid: _load(journal, run.playbook_org, pid))
        try:
            walker.walk(playbook, playbook.start, ctx)
        except BusyError as exc:
            return RunStatus.RUNNING, str(exc)
        except WaitingError as exc:
            return RunStatus.WAITING, str(exc)
        except (StepFailedError, LimitExceededError) as exc:
            return RunStatus.FAILED, self._exception(walker, playbook, ctx, str(exc))
        return RunStatus.SUCCEEDED, "completed"

    @staticmethod
    def _exception(walker: Walker, playbook: Playbook, ctx: RunContext, reason: str) -> str:
        """Run the playbook's exception step, if it names one, then report the failure."""
        if playbook.exception_step is None:
            return reason
        try:
            walker.walk(playbook, playbook.exception_step, ctx, "exception/")
        except (StepFailedError, WaitingError, LimitExceededError) as exc:
            return f"{reason}; the exception step stopped too: {exc}"
        return reason


def _load(journal: Journal, org_id: str, playbook_id: str) -> Playbook | None:
    """A playbook-action's playbook: the copy of the same owner as the calling one."""
    record = journal.playbook(org_id, playbook_id)
    return playbook_of(record.document) if record else None


class _Planned:
    """The actions port of a dry run: every effect is only described."""

    def _plan(self, *_: Any) -> Mapping[str, Any]:
        return {"dry_run": True}

    enrich = open_case = update_case = open_task = _plan
    publish_indicator = publish_sighting = issue_measure = notify = _plan
    request_assistance = http_api = _plan

"""One action step's commands carried out: Shieldwall's actions, http-api, approvals.

Each command is looked up in the journal by its idempotency key first: a command already
done answers from the journal (outputs and all), so a replayed run repeats no effect.
Otherwise the effect happens through the :class:`Actions` port and is recorded at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shieldwall.model.errors import ShieldwallError
from shieldwall.model.playbook import ApprovalStatus, JournalEntry
from shieldwall.respond.playbooks.actions import (
    APPROVAL,
    HTTP_COMMAND,
    Actions,
    Endpoint,
    HttpRequest,
    agent_url,
    call,
    endpoint_for,
    http_request_line,
)
from shieldwall.respond.playbooks.asking import approval_context
from shieldwall.respond.playbooks.context import BusyError, RunContext, WaitingError, resolve
from shieldwall.respond.playbooks.document import Playbook, Step
from shieldwall.respond.playbooks.journal import Journal, expiry
from shieldwall.respond.playbooks.validation import arguments

RUNNING = "running"
CLAIM_TIMEOUT = timedelta(minutes=5)
"""How long a claimed step may stay unfinished before another pass takes it over."""


@dataclass
class CommandRunner:
    """Carries out the commands of action steps for one pass over a run."""

    journal: Journal
    actions: Actions
    endpoints: Sequence[Endpoint]

    def action(self, step: Step, playbook: Playbook, ctx: RunContext, path: str) -> bool:
        """Every command of the step in order; False at the first that fails."""
        scope = ctx.scope(step)
        outputs: dict[str, Any] = {}
        for command in step.commands:
            key = ctx.key(path, step.id)
            done = self.journal.done(key)
            if done is None or done.status == RUNNING:
                done = self._once(step, command, playbook, ctx, key, scope, done)
            outputs.update(done.outputs)
            if done.status != "ok":
                return False
        for name in _names(step.raw.get("out_args")):
            if name in outputs:
                ctx.variables[name] = outputs[name]
        return True

    def _once(
        self,
        step: Step,
        command: Mapping[str, Any],
        playbook: Playbook,
        ctx: RunContext,
        key: str,
        scope: Mapping[str, Any],
        claimed: JournalEntry | None,
    ) -> JournalEntry:
        if command.get("type") == HTTP_COMMAND:
            kind, inputs = HTTP_COMMAND, dict(command)
        else:
            kind, inputs = str(command.get("command")), dict(resolve(arguments(command), scope))
        if kind == APPROVAL:
            return self._approval(step, inputs, ctx, key, playbook)
        self._claim(
            JournalEntry(
                ctx.run.id, key, step.id, kind, RUNNING, inputs, {}, ctx.who.person_id, ctx.now
            ),
            claimed,
            ctx,
        )
        try:
            if kind == HTTP_COMMAND:
                result = self.actions.http_api(
                    ctx.who, key, self._request(step, command, playbook, scope)
                )
            else:
                result = call(self.actions, kind, ctx.who, key, inputs)
            status, outputs = "ok", dict(result)
        except ShieldwallError as exc:  # the port's refusal or failure: the failure path
            status, outputs = "failed", {"error": str(exc)[:1000]}
        entry = JournalEntry(
            ctx.run.id, key, step.id, kind, status, inputs, outputs, ctx.who.person_id, ctx.now
        )
        self.journal.finish(entry)
        return entry

    def _claim(self, entry: JournalEntry, claimed: JournalEntry | None, ctx: RunContext) -> None:
        """Take the step for this pass, or wait while another pass is doing it.

        A claim older than :data:`CLAIM_TIMEOUT` is a pass that stopped half-way (a crash
        between claiming and finishing): this pass takes it over, with the same idempotency
        key, so the service the effect goes to sees the key again and does it once."""
        if claimed is None and self.journal.record(entry):
            return
        current = claimed or self.journal.done(entry.key)
        if current is None or current.status != RUNNING:
            raise BusyError(f"{entry.step_id} was just completed by another pass")
        if current.at is not None and ctx.now - current.at < CLAIM_TIMEOUT:
            raise BusyError(f"{entry.step_id} is being carried out by another pass")

    def _request(
        self, step: Step, command: Mapping[str, Any], playbook: Playbook, scope: Mapping[str, Any]
    ) -> HttpRequest:
        line = http_request_line(str(command.get("command")))
        agent = playbook.agents.get(str(step.raw.get("agent")), {})
        base = agent_url(agent) if isinstance(agent, Mapping) else None
        endpoint = endpoint_for(base or "", self.endpoints)
        if line is None or base is None or endpoint is None:
            raise ShieldwallError("the http-api command names no configured endpoint")
        url = base.rstrip("/") + line[1]
        if not endpoint.covers(url):
            raise ShieldwallError(f"{url} is outside the endpoint {endpoint.name}")
        headers = command.get("headers", {})
        flat = {
            str(k): ", ".join(map(str, v)) if isinstance(v, list) else str(v)
            for k, v in (headers.items() if isinstance(headers, Mapping) else [])
        }
        body = resolve(command.get("content", ""), scope)
        return HttpRequest(endpoint.name, line[0], url, flat, str(body))

    def _approval(
        self, step: Step, args: Mapping[str, Any], ctx: RunContext, key: str, book: Playbook
    ) -> JournalEntry:
        members = [str(m) for m in args.get("members") or []]
        required = int(args.get("required", len(members))) if members else 1
        expires_at = expiry(ctx.now, int(args.get("expires_in", 86_400)))
        asked = approval_context(book, step, ctx)
        approval = self.journal.approval(
            ctx.run.id, key, step.id, members, required, expires_at, asked
        )
        status = approval.status
        if status is ApprovalStatus.PENDING and ctx.now >= approval.expires_at:
            self.journal.expire(approval)
            status = ApprovalStatus.EXPIRED
        if status is ApprovalStatus.PENDING:
            raise WaitingError(f"{step.id} waits for approval {approval.id}")
        votes = [
            {
                "org_id": v.org_id,
                "person_id": v.person_id,
                "approve": v.approve,
                "at": v.at.isoformat(),
            }
            for v in approval.votes
        ]
        actor = ", ".join(f"{v.person_id}@{v.org_id}" for v in approval.votes if v.approve)
        ok = status is ApprovalStatus.APPROVED
        outputs = {"approval": approval.id, "status": status.value, "votes": votes}
        entry = JournalEntry(
            ctx.run.id,
            key,
            step.id,
            APPROVAL,
            "ok" if ok else "failed",
            dict(args),
            outputs,
            actor or ctx.who.person_id,
            ctx.now,
        )
        self.journal.record(entry)
        return entry


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []

"""The runner: walks a playbook's workflow, replaying what the journal already holds.

Every advance of a run walks the workflow from ``workflow_start``. Each step's key
(:mod:`.context`) finds what was done before, so a run resumed after an approval, an
expiry or a restart repeats no effect; only steps not yet in the journal act. The
workflow model is CACAO 2.0's:

- ``start`` → ``on_completion``; ``end`` ends the (sub-)workflow it is in;
- ``action`` runs its commands, then ``on_success`` (or ``on_completion``), or on a
  failure ``on_failure``; a failure with no ``on_failure`` fails the run, after the
  ``workflow_exception`` step when the playbook names one;
- ``if-condition`` runs the ``on_true`` or ``on_false`` branch, ``switch-condition`` the
  branch of the matching case (or ``default``), ``while-condition`` its ``on_true`` body
  while the condition holds (at most ``max_iterations`` times), ``parallel`` each of its
  ``next_steps``; each branch is a sub-workflow ending at an ``end`` step, after which the
  step continues at ``on_completion`` (the while-condition at ``on_false`` too);
- ``playbook-action`` runs another stored playbook as a sub-workflow, passing ``in_args``
  and taking back ``out_args``.

Parallel branches run one after another in the order listed (so replays see the same
order); a branch that waits for approval does not hold back the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shieldwall.model.errors import LimitExceededError
from shieldwall.model.playbook import JournalEntry
from shieldwall.respond.playbooks.conditions import evaluate, substitute
from shieldwall.respond.playbooks.context import (
    RunContext,
    StepFailedError,
    WaitingError,
    initial_variables,
)
from shieldwall.respond.playbooks.document import Playbook, Step
from shieldwall.respond.playbooks.steps import CommandRunner
from shieldwall.respond.playbooks.structure import check_document

Loader = Callable[[str], Playbook | None]


@dataclass
class Walker:
    """One pass over a run's workflow."""

    commands: CommandRunner
    load: Loader

    def walk(self, playbook: Playbook, start: str | None, ctx: RunContext, path: str = "") -> None:
        """Follow steps from ``start`` until an ``end`` step or a step leading nowhere."""
        current = start
        while current is not None:
            step = playbook.steps[current]
            if step.type == "end":
                self._mark(step, ctx, path)
                return
            current = self._step(step, playbook, ctx, path)

    def _step(self, step: Step, playbook: Playbook, ctx: RunContext, path: str) -> str | None:
        kind = step.type
        if kind == "start":
            self._mark(step, ctx, path)
            return step.link("on_completion") or step.link("on_success")
        if kind == "action":
            return self._after(step, self.commands.action(step, playbook, ctx, path))
        if kind == "playbook-action":
            return self._after(step, self._call(step, ctx, path))
        if kind == "if-condition":
            branch = step.link("on_true") if self._holds(step, ctx, path) else step.link("on_false")
            self.walk(playbook, branch, ctx, path)
        elif kind == "switch-condition":
            expression = str(step.raw.get("switch"))
            value = self._decided(step, ctx, path, lambda: substitute(expression, ctx.scope(step)))
            cases = step.cases
            self.walk(playbook, cases.get(str(value), cases.get("default")), ctx, path)
        elif kind == "while-condition":
            self._loop(step, playbook, ctx, path)
            return step.link("on_completion") or step.link("on_false")
        elif kind == "parallel":
            self._parallel(step, playbook, ctx, path)
        return step.link("on_completion")

    def _after(self, step: Step, ok: bool) -> str | None:
        if ok:
            return step.link("on_success") or step.link("on_completion")
        failure = step.link("on_failure")
        if failure is None:
            raise StepFailedError(step.id, "failed, and the step names no on_failure")
        return failure

    def _holds(self, step: Step, ctx: RunContext, path: str) -> bool:
        condition = str(step.raw.get("condition"))
        return bool(self._decided(step, ctx, path, lambda: evaluate(condition, ctx.scope(step))))

    def _decided(
        self, step: Step, ctx: RunContext, path: str, compute: Callable[[], object]
    ) -> object:
        """A condition's outcome, journaled: a replay follows the branch first taken."""
        key = ctx.key(path, step.id)
        journal = self.commands.journal
        done = journal.done(key)
        if done is not None:
            return done.outputs.get("result")
        result = compute()
        inputs = {"expression": step.raw.get("condition", step.raw.get("switch"))}
        outputs = {"result": result if isinstance(result, (str, int, float, bool)) else str(result)}
        entry = JournalEntry(
            ctx.run.id, key, step.id, step.type, "ok", inputs, outputs, ctx.who.person_id, ctx.now
        )
        journal.record(entry)
        return outputs["result"]

    def _loop(self, step: Step, playbook: Playbook, ctx: RunContext, path: str) -> None:
        for turn in range(ctx.limits.max_iterations + 1):
            if not self._holds(step, ctx, path):
                return
            if turn == ctx.limits.max_iterations:
                raise LimitExceededError(f"{step.id} looped {turn} times", limit="max_iterations")
            self.walk(playbook, step.link("on_true"), ctx, f"{path}{step.id}@{turn}/")

    def _parallel(self, step: Step, playbook: Playbook, ctx: RunContext, path: str) -> None:
        waiting: WaitingError | None = None
        for index, branch in enumerate(step.next_steps):
            try:
                self.walk(playbook, branch, ctx, f"{path}{step.id}|{index}/")
            except WaitingError as exc:
                waiting = exc
        if waiting is not None:
            raise waiting

    def _call(self, step: Step, ctx: RunContext, path: str) -> bool:
        depth = path.count(">") + 1
        if depth > ctx.limits.max_nesting:
            raise LimitExceededError(
                f"playbooks nest deeper than {ctx.limits.max_nesting}", limit="max_nesting"
            )
        callee = self.load(str(step.raw.get("playbook_id")))
        if callee is None:
            return False
        outer = ctx.variables
        given = {name: outer.get(name) for name in _names(step.raw.get("in_args"))}
        ctx.variables = initial_variables(callee, given)
        try:
            self.walk(callee, callee.start, ctx, f"{path}{step.id}>")
        except StepFailedError:
            return False
        finally:
            inner, ctx.variables = ctx.variables, outer
        for name in _names(step.raw.get("out_args")):
            if name in inner:
                outer[name] = inner[name]
        return True

    def _mark(self, step: Step, ctx: RunContext, path: str) -> None:
        ctx.key(path, step.id)


def _names(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def playbook_of(document: dict[str, object]) -> Playbook:
    """A stored (already validated) document as a playbook."""
    playbook, _ = check_document(document)
    return playbook

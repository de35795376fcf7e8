"""The state of one pass over a run: variables, visit counts, the step budget.

A run is replayed from its start every time it advances (after an approval, an expiry, a
restart): each step's idempotency key is built from where it sits (the playbook-action
and the while-loop pass it is in) and how many times that place was reached before, so
the same step gets the same key on every pass and the journal answers instead of the
effect being repeated. The keys are therefore deterministic, and unique per run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shieldwall.model.errors import LimitExceededError, ShieldwallError
from shieldwall.model.identity import Principal
from shieldwall.model.playbook import RunRecord
from shieldwall.respond.playbooks.conditions import substitute
from shieldwall.respond.playbooks.document import Playbook, Step
from shieldwall.respond.playbooks.limits import PlaybookLimits


class WaitingError(ShieldwallError):
    """Control flow: a step waits for approval; the run stops here, durably."""


class BusyError(WaitingError):
    """Control flow: another pass is carrying out this step; the run stays ``running``."""


class StepFailedError(ShieldwallError):
    """Control flow: a step failed and names no ``on_failure``; the run fails."""

    def __init__(self, step_id: str, reason: str) -> None:
        super().__init__(f"{step_id}: {reason}")
        self.step_id = step_id
        self.reason = reason


@dataclass
class RunContext:
    """One pass over a run."""

    run: RunRecord
    who: Principal
    now: datetime
    limits: PlaybookLimits
    variables: dict[str, Any]
    visits: Counter[str] = field(default_factory=Counter)
    taken: int = 0

    def key(self, path: str, step_id: str) -> str:
        """The step's idempotency key: run, place, step, and the how-many-th visit."""
        place = f"{path}{step_id}"
        self.visits[place] += 1
        self.taken += 1
        if self.taken > self.limits.max_steps_per_run:
            raise LimitExceededError(
                f"more than {self.limits.max_steps_per_run} steps in one run",
                limit="max_steps_per_run",
            )
        return f"run-{self.run.id}/{place}#{self.visits[place]}"

    def scope(self, step: Step) -> dict[str, Any]:
        """The variables a step sees: the playbook's, then its own."""
        own = {name: _value(var) for name, var in step.variables.items()}
        return {**self.variables, **own}


def initial_variables(playbook: Playbook, given: Mapping[str, Any]) -> dict[str, Any]:
    """Playbook variables' values, with those the trigger or the caller supplied on top."""
    values = {name: _value(var) for name, var in playbook.variables.items()}
    values.update({name: value for name, value in given.items() if name in values})
    return values


def _value(variable: Any) -> Any:
    return variable.get("value") if isinstance(variable, Mapping) else variable


def resolve(value: Any, scope: Mapping[str, Any]) -> Any:
    """Arguments with every ``__name__:value`` reference replaced (strings only)."""
    if isinstance(value, str):
        return substitute(value, scope)
    if isinstance(value, Mapping):
        return {key: resolve(child, scope) for key, child in value.items()}
    if isinstance(value, list):
        return [resolve(child, scope) for child in value]
    return value

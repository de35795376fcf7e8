"""What an approval tells the people asked: copied into the approval when it is asked.

A member asked to approve the centre's coalition-wide block cannot read the centre's
playbook (the gate keeps each organisation's playbooks to itself), yet must know what it
is saying yes to. The approval is addressed to that member, so what it needs travels with
it: the playbook's name and description, the step's, what will be done once it is
approved (the rest of the step's commands and the steps that follow on success, with the
run's values filled in), and what started the run. It is written once, when the approval
is asked, and read back from the approval, never from the playbook; it is bounded so a
playbook cannot make an approval grow without limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.respond.playbooks.actions import APPROVAL, HTTP_COMMAND
from shieldwall.respond.playbooks.context import RunContext, resolve
from shieldwall.respond.playbooks.document import Playbook, Step
from shieldwall.respond.playbooks.validation import arguments

MAX_TEXT = 500
MAX_ITEMS = 10
_THEN = ("on_success", "on_completion", "on_true")


def approval_context(playbook: Playbook, step: Step, ctx: RunContext) -> dict[str, Any]:
    """The approval's context: playbook, step, what follows, what started the run."""
    return {
        "playbook": _named(playbook.document),
        "step": _named(step.raw) | {"id": step.id},
        "will_do": _will_do(playbook, step, ctx),
        "trigger": trigger_summary(ctx.run.trigger, ctx.run.principal),
        "requested_by": ctx.run.org_id,
    }


def _named(raw: Mapping[str, Any]) -> dict[str, str]:
    return {"name": _text(raw.get("name")), "description": _text(raw.get("description"))}


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _will_do(playbook: Playbook, step: Step, ctx: RunContext) -> list[str]:
    """The step's other commands, then each following step's (one level, bounded)."""
    done: list[str] = [_command(c, ctx.scope(step)) for c in step.commands]
    done = [line for line in done if line]
    for name in _THEN:
        target = playbook.steps.get(step.link(name) or "")
        if target is None:
            continue
        label = _text(target.raw.get("name")) or target.type
        lines = [_command(c, ctx.scope(target)) for c in target.commands] or [target.type]
        done += [f"then {label}: {line}" for line in lines if line]
    return done[:MAX_ITEMS]


def _command(command: Mapping[str, Any], scope: Mapping[str, Any]) -> str:
    kind = command.get("type")
    if kind == HTTP_COMMAND:
        return _text(f"http-api {command.get('command', '')}")
    action = str(command.get("command", ""))
    if action == APPROVAL:
        return ""
    try:
        args = resolve(arguments(command), scope)
    except InputError:
        args = {}
    shown = ", ".join(f"{key}={_value(value)}" for key, value in sorted(args.items()))
    return _text(f"{action} {shown}".strip())


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def trigger_summary(trigger: Mapping[str, Any], principal: Mapping[str, Any]) -> str:
    """What started a run, in a few words."""
    kind = str(trigger.get("kind") or "")
    if kind == "schedule":
        return _text(f"schedule, slot {trigger.get('slot', '')}")
    if kind and kind != "manual" and trigger.get("id"):
        about = f": {trigger['summary']}" if trigger.get("summary") else ""
        return _text(f"{kind} {trigger['id']}{about}")
    # the person is the starting organisation's business: approvers elsewhere see only
    # which organisation started it (a person id of another organisation tells them nothing
    # they may use, and names someone they need not know)
    return _text(f"by hand, in {principal.get('org_id', '')}")

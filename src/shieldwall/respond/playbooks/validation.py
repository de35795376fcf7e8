"""Shieldwall's checks on a playbook before anything runs, every problem collected.

On top of the specification's requirements (:mod:`.structure`): every step a step points
to exists; the workflow starts at a ``start`` step; every step is reachable from it (or
from the exception step); there is no cycle (a while-condition loops through its body,
which ends at an ``end`` step, so a loop needs no back edge and any back edge is a cycle
outside a while-loop); every variable a step uses is a playbook variable or one of the
step's own; and every command is allowed (:mod:`.actions`): no shell, no ssh, no command
Shieldwall cannot read, http-api only to configured endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from shieldwall.model.errors import InputError
from shieldwall.model.identity import SLUG_PATTERN
from shieldwall.respond.playbooks.actions import (
    APPROVAL,
    HTTP_COMMAND,
    SHIELDWALL_ACTIONS,
    SHIELDWALL_COMMAND,
    Endpoint,
    agent_url,
    endpoint_for,
    http_request_line,
)
from shieldwall.respond.playbooks.conditions import parse_condition, references
from shieldwall.respond.playbooks.document import Playbook, Step, id_type
from shieldwall.respond.playbooks.problems import Problem

MAX_EXPIRY = 30 * 24 * 3600


def check_workflow(playbook: Playbook, endpoints: Sequence[Endpoint]) -> list[Problem]:
    """Every problem of the workflow: references, reachability, cycles, variables, actions."""
    problems = list(_references(playbook))
    problems += _reachability(playbook)
    problems += _cycles(playbook)
    for step in playbook.steps.values():
        problems += _bound(step, playbook)
        problems += _condition(step)
        for index, command in enumerate(step.commands):
            place = f"workflow.{step.id}.commands[{index}]"
            problems += _command(step, command, place, playbook, endpoints)
        if (
            step.type == "playbook-action"
            and id_type(str(step.raw.get("playbook_id"))) != "playbook"
        ):
            problems.append(Problem(f"workflow.{step.id}.playbook_id", "names no playbook"))
    return problems


def _references(playbook: Playbook) -> Iterator[Problem]:
    start = playbook.steps.get(playbook.start)
    if playbook.start and start is None:
        yield Problem("workflow_start", f"{playbook.start} is not a step of the workflow")
    elif start is not None and start.type != "start":
        yield Problem("workflow_start", "must name a start step")
    exception = playbook.exception_step
    if exception is not None and exception not in playbook.steps:
        yield Problem("workflow_exception", f"{exception} is not a step of the workflow")
    for step in playbook.steps.values():
        for target in step.successors():
            if target not in playbook.steps:
                yield Problem(f"workflow.{step.id}", f"refers to the missing step {target}")


def _reachability(playbook: Playbook) -> Iterator[Problem]:
    roots = [r for r in (playbook.start, playbook.exception_step) if r and r in playbook.steps]
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in seen or current not in playbook.steps:
            continue
        seen.add(current)
        stack.extend(playbook.steps[current].successors())
    if roots:
        for step_id in sorted(set(playbook.steps) - seen):
            yield Problem(f"workflow.{step_id}", "unreachable from workflow_start")


def _cycles(playbook: Playbook) -> Iterator[Problem]:
    """Back edges of a depth-first walk, without recursion (hostile graphs are deep)."""
    state: dict[str, int] = {}
    reported: set[tuple[str, str]] = set()
    for root in sorted(playbook.steps):
        if root in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(playbook.steps[root].successors()))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif child in playbook.steps and state.get(child) == 1:
                reported.add((node, child))
            elif child in playbook.steps and child not in state:
                state[child] = 1
                stack.append((child, iter(playbook.steps[child].successors())))
    for node, child in sorted(reported):
        yield Problem(f"workflow.{node}", f"leads back to {child}: a cycle outside a while-loop")


def _texts(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _bound(step: Step, playbook: Playbook) -> Iterator[Problem]:
    known = set(playbook.variables) | set(step.variables)
    used: set[str] = set()
    for name in ("commands", "condition", "switch", "in_args", "out_args"):
        for text in _texts(step.raw.get(name)):
            used |= references(text)
    for name in sorted(used - known):
        yield Problem(f"workflow.{step.id}", f"uses the unbound variable {name}")


def _condition(step: Step) -> Iterator[Problem]:
    for name in ("condition", "switch"):
        value = step.raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            yield Problem(f"workflow.{step.id}.{name}", "must be a string")
            continue
        try:
            parse_condition(value)
        except InputError as exc:
            yield Problem(f"workflow.{step.id}.{name}", exc.reason)


def _command(
    step: Step,
    command: Mapping[str, Any],
    place: str,
    playbook: Playbook,
    endpoints: Sequence[Endpoint],
) -> Iterator[Problem]:
    kind = command.get("type")
    if "command_b64" in command:
        yield Problem(place, "command_b64 cannot be checked: write the command in clear")
    if kind == SHIELDWALL_COMMAND:
        yield from _own(command, place)
    elif kind == HTTP_COMMAND:
        yield from _http(step, command, place, playbook, endpoints)
    else:
        yield Problem(f"{place}.type", f"the command type {kind!r} is not allowed")


def arguments(command: Mapping[str, Any]) -> Mapping[str, Any]:
    """The JSON object of an ``x-shieldwall`` command's ``content`` (empty when absent)."""
    content = command.get("content")
    if content is None:
        return {}
    if not isinstance(content, str):
        raise InputError("content must be a JSON object written as a string")
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise InputError("content is not JSON") from exc
    if not isinstance(value, dict):
        raise InputError("content must be a JSON object")
    return value


def _own(command: Mapping[str, Any], place: str) -> Iterator[Problem]:
    name = command.get("command")
    if not isinstance(name, str) or name not in SHIELDWALL_ACTIONS:
        yield Problem(f"{place}.command", f"{name!r} is not one of Shieldwall's actions")
        return
    try:
        args = arguments(command)
    except InputError as exc:
        yield Problem(f"{place}.content", exc.reason)
        return
    if name == APPROVAL:
        yield from (Problem(f"{place}.content", why) for why in approval_problems(args))


def approval_problems(args: Mapping[str, Any]) -> list[str]:
    """What is wrong with an approval's arguments (one centre lead, or N of M members)."""
    found: list[str] = []
    members = args.get("members")
    expires = args.get("expires_in", 86_400)
    if not isinstance(expires, int) or isinstance(expires, bool) or not 1 <= expires <= MAX_EXPIRY:
        found.append(f"expires_in must be whole seconds from 1 to {MAX_EXPIRY}")
    if members is None:
        if args.get("approvers", "centre-lead") != "centre-lead":
            found.append("approvers is 'centre-lead' or members are named")
        return found
    if not isinstance(members, list) or not members or len(members) > 100:
        return [*found, "members must be a list of 1 to 100 organisation ids"]
    if not all(isinstance(m, str) and SLUG_PATTERN.match(m) for m in members):
        found.append("members must be organisation ids")
    elif len(set(members)) != len(members):
        found.append("members must not repeat")
    required = args.get("required", len(members))
    if (
        not isinstance(required, int)
        or isinstance(required, bool)
        or not 1 <= required <= len(members)
    ):
        found.append("required must be from 1 to the number of members")
    return found


def _http(
    step: Step,
    command: Mapping[str, Any],
    place: str,
    playbook: Playbook,
    endpoints: Sequence[Endpoint],
) -> Iterator[Problem]:
    line = command.get("command")
    if not isinstance(line, str) or http_request_line(line) is None:
        yield Problem(f"{place}.command", "must be an HTTP request line: 'POST /path HTTP/1.1'")
    agent = playbook.agents.get(str(step.raw.get("agent")))
    if not isinstance(agent, Mapping) or agent.get("type") != HTTP_COMMAND:
        yield Problem(f"workflow.{step.id}.agent", "an http-api command needs an http-api agent")
        return
    url = agent_url(agent)
    if url is None or endpoint_for(url, endpoints) is None:
        yield Problem(
            f"workflow.{step.id}.agent", f"{url!r} is not one of the configured endpoints"
        )

"""The specification's requirements on a playbook document, every problem collected.

What is checked here is what CACAO 2.0 itself asks of any playbook (docs/conformance/cacao.md
explains each): the required properties and their forms, identifiers of the form
``<type>--<UUID>`` whose type matches what they name, the eight workflow step types and
the properties each needs, variables named ``__name__``, agents, targets, data markings
and signatures that are what they claim. What Shieldwall adds on top (reachability,
cycles, bound variables, allowed actions) is :mod:`.validation`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shieldwall.model.errors import LimitExceededError
from shieldwall.respond.playbooks.document import (
    IDENTIFIER,
    LINKS,
    SPEC_VERSION,
    STEP_TYPES,
    TIMESTAMP,
    VARIABLE_NAME,
    Playbook,
    Step,
    id_type,
)
from shieldwall.respond.playbooks.limits import DEFAULT_LIMITS, PlaybookLimits
from shieldwall.respond.playbooks.problems import Problem

REQUIRED = ("type", "spec_version", "id", "name", "created_by", "created", "modified")
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    "action": ("commands",),
    "playbook-action": ("playbook_id",),
    "parallel": ("next_steps",),
    "if-condition": ("condition", "on_true"),
    "while-condition": ("condition", "on_true"),
    "switch-condition": ("switch", "cases"),
}
MARKING_TYPES = frozenset({"marking-statement", "marking-tlp", "marking-iep"})
SIGNATURE_REQUIRED = (
    "id",
    "created",
    "modified",
    "signee",
    "related_to",
    "related_version",
    "hash_algorithm",
    "algorithm",
    "value",
)
SIGNATURE_KEYS = ("public_key", "public_cert_chain", "cert_url", "thumbprint")


def check_document(
    value: Any, limits: PlaybookLimits = DEFAULT_LIMITS
) -> tuple[Playbook, list[Problem]]:
    """The playbook and every problem the specification finds in it."""
    if not isinstance(value, Mapping):
        return Playbook({"id": ""}, {}), [Problem("", "a playbook is a JSON object")]
    problems = list(_top(value))
    steps = _steps(value, limits, problems)
    problems += _variables(value.get("playbook_variables"), "playbook_variables", limits)
    problems += _definitions(value, "agent_definitions")
    problems += _definitions(value, "target_definitions")
    problems += _markings(value)
    problems += _signatures(value.get("signatures"))
    for step in steps.values():
        problems += _step(step, value, limits)
    return Playbook(dict(value), steps), problems


def _top(doc: Mapping[str, Any]) -> Iterator[Problem]:
    for name in REQUIRED:
        if name not in doc:
            yield Problem(name, "required property missing")
    if "type" in doc and doc["type"] != "playbook":
        yield Problem("type", "must be 'playbook'")
    if "spec_version" in doc and doc["spec_version"] != SPEC_VERSION:
        yield Problem("spec_version", f"must be '{SPEC_VERSION}'")
    yield from _identifier(doc.get("id"), "id", "playbook")
    yield from _identifier(doc.get("created_by"), "created_by", "identity")
    if "name" in doc and (not isinstance(doc["name"], str) or not doc["name"].strip()):
        yield Problem("name", "must be a non-empty string")
    for name in ("created", "modified", "valid_from", "valid_until"):
        value = doc.get(name)
        if value is not None and not (isinstance(value, str) and TIMESTAMP.match(value)):
            yield Problem(name, "must be a UTC timestamp with milliseconds (…T…:…:….sssZ)")
    created, modified = doc.get("created"), doc.get("modified")
    if isinstance(created, str) and isinstance(modified, str) and modified < created:
        yield Problem("modified", "must not be earlier than created")
    if not isinstance(doc.get("workflow_start"), str):
        yield Problem("workflow_start", "required: the id of the start step")
    if not isinstance(doc.get("workflow"), Mapping) or not doc.get("workflow"):
        yield Problem("workflow", "required: a non-empty object of steps")


def _identifier(value: Any, place: str, kind: str | None) -> Iterator[Problem]:
    if value is None:
        return
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        yield Problem(place, "must be an identifier of the form <type>--<UUID>")
    elif kind is not None and id_type(value) != kind:
        yield Problem(place, f"must be a {kind}--<UUID> identifier")


def _steps(
    doc: Mapping[str, Any], limits: PlaybookLimits, problems: list[Problem]
) -> dict[str, Step]:
    workflow = doc.get("workflow")
    if not isinstance(workflow, Mapping):
        return {}
    if len(workflow) > limits.max_steps:
        raise LimitExceededError(
            f"{len(workflow)} steps, more than {limits.max_steps}",
            limit="max_steps",
            source="playbook",
        )
    steps: dict[str, Step] = {}
    for step_id, raw in workflow.items():
        place = f"workflow.{step_id}"
        if not isinstance(raw, Mapping):
            problems.append(Problem(place, "a step is a JSON object"))
            continue
        kind = raw.get("type")
        if not isinstance(kind, str) or kind not in STEP_TYPES:
            problems.append(Problem(f"{place}.type", f"unknown step type {kind!r}"))
            continue
        problems.extend(_identifier(step_id, place, str(kind)))
        steps[step_id] = Step(step_id, str(kind), raw)
    return steps


def _step(step: Step, doc: Mapping[str, Any], limits: PlaybookLimits) -> Iterator[Problem]:
    place = f"workflow.{step.id}"
    for name in REQUIRED_BY_TYPE.get(step.type, ()):
        if name not in step.raw:
            yield Problem(f"{place}.{name}", f"required for a {step.type} step")
    if "on_completion" in step.raw and ({"on_success", "on_failure"} & step.raw.keys()):
        yield Problem(place, "on_completion excludes on_success and on_failure")
    for name in LINKS:
        yield from _identifier(step.raw.get(name), f"{place}.{name}", None)
    if step.type == "parallel" and len(step.next_steps) < 1:
        yield Problem(f"{place}.next_steps", "a parallel step needs at least one branch")
    if step.type == "switch-condition" and "cases" in step.raw and not step.cases:
        yield Problem(f"{place}.cases", "needs at least one case naming a step")
    if step.type == "action":
        yield from _commands(step, doc, limits)
    yield from _variables(step.raw.get("step_variables"), f"{place}.step_variables", limits)


def _commands(step: Step, doc: Mapping[str, Any], limits: PlaybookLimits) -> Iterator[Problem]:
    place = f"workflow.{step.id}"
    if len(step.commands) > limits.max_commands:
        yield Problem(f"{place}.commands", f"more than {limits.max_commands} commands")
    if "commands" in step.raw and not step.commands:
        yield Problem(f"{place}.commands", "an action step needs at least one command")
    for index, command in enumerate(step.commands):
        if not isinstance(command.get("type"), str):
            yield Problem(f"{place}.commands[{index}].type", "required")
        if "command" not in command and "command_b64" not in command:
            yield Problem(f"{place}.commands[{index}]", "needs command or command_b64")
    agent = step.raw.get("agent")
    agents = doc.get("agent_definitions")
    known = agents if isinstance(agents, Mapping) else {}
    if agent is not None and not (isinstance(agent, str) and agent in known):
        yield Problem(f"{place}.agent", "names no agent in agent_definitions")
    targets = step.raw.get("targets", [])
    defined = doc.get("target_definitions")
    for target in targets if isinstance(targets, list) else [targets]:
        if not (isinstance(target, str) and isinstance(defined, Mapping) and target in defined):
            yield Problem(f"{place}.targets", f"{target!r} names no target in target_definitions")


def _variables(value: Any, place: str, limits: PlaybookLimits) -> Iterator[Problem]:
    if value is None:
        return
    if not isinstance(value, Mapping):
        yield Problem(place, "must be an object of variables")
        return
    if len(value) > limits.max_variables:
        yield Problem(place, f"more than {limits.max_variables} variables")
    for name, variable in value.items():
        if not VARIABLE_NAME.match(name):
            yield Problem(f"{place}.{name}", "a variable is named __name__")
        if not isinstance(variable, Mapping) or not isinstance(variable.get("type"), str):
            yield Problem(f"{place}.{name}", "a variable is an object with a type")


def _definitions(doc: Mapping[str, Any], name: str) -> Iterator[Problem]:
    value = doc.get(name)
    if value is None:
        return
    if not isinstance(value, Mapping):
        yield Problem(name, "must be an object")
        return
    for key, item in value.items():
        kind = item.get("type") if isinstance(item, Mapping) else None
        if not isinstance(kind, str):
            yield Problem(f"{name}.{key}", "needs a type")
            continue
        yield from _identifier(key, f"{name}.{key}", kind)


def _markings(doc: Mapping[str, Any]) -> Iterator[Problem]:
    definitions = doc.get("data_marking_definitions", {})
    if not isinstance(definitions, Mapping):
        yield Problem("data_marking_definitions", "must be an object")
        definitions = {}
    for key, item in definitions.items():
        kind = item.get("type") if isinstance(item, Mapping) else None
        if not isinstance(kind, str) or kind not in MARKING_TYPES:
            yield Problem(f"data_marking_definitions.{key}", "unknown data marking type")
            continue
        yield from _identifier(key, f"data_marking_definitions.{key}", str(kind))
    markings = doc.get("markings", [])
    if not isinstance(markings, list):
        yield Problem("markings", "must be a list of data marking ids")
        return
    for marking in markings:
        if not isinstance(marking, str) or marking not in definitions:
            yield Problem("markings", f"{marking!r} is not in data_marking_definitions")


def _signatures(value: Any) -> Iterator[Problem]:
    if value is None:
        return
    if not isinstance(value, list):
        yield Problem("signatures", "must be a list of signature objects")
        return
    for index, item in enumerate(value):
        place = f"signatures[{index}]"
        if not isinstance(item, Mapping):
            yield Problem(place, "a signature is an object")
            continue
        yield from _signature(item, place)


def _signature(item: Mapping[str, Any], place: str) -> Iterator[Problem]:
    """The specification's signature data type; whether it holds is :mod:`.signatures`."""
    if item.get("type") != "jss":
        yield Problem(f"{place}.type", "must be 'jss'")
    yield from _identifier(item.get("id"), f"{place}.id", "signature")
    yield from _identifier(item.get("related_to"), f"{place}.related_to", "playbook")
    yield from _identifier(item.get("created_by"), f"{place}.created_by", "identity")
    for name in SIGNATURE_REQUIRED:
        if not isinstance(item.get(name), str):
            yield Problem(f"{place}.{name}", "required")
    for name in ("created", "modified", "valid_from", "valid_until", "related_version"):
        stamp = item.get(name)
        if stamp is not None and not (isinstance(stamp, str) and TIMESTAMP.match(stamp)):
            yield Problem(f"{place}.{name}", "must be a UTC timestamp with milliseconds")
    if not any(name in item for name in SIGNATURE_KEYS):
        yield Problem(place, f"needs one of {', '.join(SIGNATURE_KEYS)}")
    chain = item.get("public_cert_chain")
    if chain is not None and not (
        isinstance(chain, list) and chain and all(isinstance(c, str) for c in chain)
    ):
        yield Problem(f"{place}.public_cert_chain", "must be a non-empty list of strings")
    start, end = item.get("valid_from"), item.get("valid_until")
    if isinstance(start, str) and isinstance(end, str) and end <= start:
        yield Problem(f"{place}.valid_until", "must be later than valid_from")

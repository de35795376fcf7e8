"""Property tests: hostile JSON and YAML never get past the parser as anything but a
playbook or an InputError listing what is wrong, and never crash it."""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.respond import Endpoint, Playbook, export_playbook, load_playbook
from shieldwall.respond.playbooks.conditions import evaluate, parse_condition
from tests.unit.respond.playbooks.builders import ENDPOINT_URL, coalition_block
from tests.unit.respond.playbooks.test_codec import full_model

ENDPOINTS = [Endpoint("soar", ENDPOINT_URL)]
SCALARS = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=30)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=40,
)
KEYS = st.sampled_from(
    [
        "type",
        "workflow",
        "workflow_start",
        "on_completion",
        "on_success",
        "on_failure",
        "on_true",
        "next_steps",
        "cases",
        "commands",
        "condition",
        "switch",
        "agent",
        "markings",
        "signatures",
        "playbook_variables",
        "step_variables",
        "content",
        "command",
        "members",
        "id",
    ]
)


def _load(data: bytes | str, form: str = "json") -> Playbook | None:
    try:
        return load_playbook(data, endpoints=ENDPOINTS, form=form)  # type: ignore[arg-type]
    except InputError as exc:
        assert str(exc)
        return None


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value_is_a_playbook_or_an_input_error(value: Any) -> None:
    _load(orjson.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_playbook_or_an_input_error(data: bytes) -> None:
    _load(data)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_playbook_is_accepted_whole_or_refused_with_problems(data: st.DataObject) -> None:
    doc = copy.deepcopy(
        full_model().doc if data.draw(st.booleans()) else coalition_block(["alpha"], 1).doc
    )
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        choice = data.draw(st.integers(0, 2))
        if choice == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif choice == 1 and isinstance(parent, dict):
            parent[data.draw(KEYS)] = data.draw(JSON)
        else:
            parent[path[-1]] = data.draw(JSON)
    playbook = _load(orjson.dumps(doc))
    if playbook is not None:  # accepted: it exports and reads back the same
        assert load_playbook(export_playbook(playbook), endpoints=ENDPOINTS) == playbook


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_yaml_is_a_playbook_or_an_input_error(value: Any) -> None:
    import yaml

    _load(yaml.safe_dump(value), "yaml")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.dictionaries(st.sampled_from(["__a__", "__b__"]), SCALARS))
def test_conditions_parse_or_are_refused_and_never_crash_when_run(
    text: str, variables: dict[str, Any]
) -> None:
    try:
        parse_condition(text)
    except InputError:
        return
    assert evaluate(text, variables) in (True, False)


def test_deep_condition_nesting_is_refused() -> None:
    try:
        parse_condition("(" * 500 + "true" + ")" * 500)
    except InputError as exc:
        assert "deeply" in str(exc)
    else:
        raise AssertionError("accepted")

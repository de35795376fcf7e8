"""Import, export and validation of CACAO 2.0 playbooks (docs/conformance/cacao.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shieldwall.model.errors import InputError, LimitExceededError
from shieldwall.respond import (
    Endpoint,
    PlaybookLimits,
    PlaybookRefusedError,
    export_playbook,
    load_playbook,
    sign_playbook,
)
from tests.unit.respond.playbooks.builders import (
    ENDPOINT_URL,
    Book,
    coalition_block,
    ident,
    shieldwall,
)

ENDPOINTS = [Endpoint("soar", ENDPOINT_URL)]
IDENT = re.compile(
    r"^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def full_model() -> Book:
    """Every step type, variables, agents, targets, markings and signatures."""
    book = Book("full model")
    book.variable("__ip__", "198.51.100.1", external=True)
    book.variable("__severity__", "high")
    book.variable("__count__", 0)
    agent, target = ident("http-api"), ident("organization")
    marking = ident("marking-tlp")
    book.doc["agent_definitions"] = {
        agent: {"type": "http-api", "name": "SOAR", "address": {"url": [ENDPOINT_URL]}}
    }
    book.doc["target_definitions"] = {target: {"type": "organization", "name": "alpha"}}
    book.doc["data_marking_definitions"] = {
        marking: {"type": "marking-tlp", "tlpv2_level": "TLP:AMBER"}
    }
    book.doc["markings"] = [marking]
    end = book.end()
    http = book.action(
        {
            "type": "http-api",
            "command": "POST /block HTTP/1.1",
            "headers": {"content-type": ["application/json"]},
            "content": '{"ip": "__ip__:value"}',
        },
        agent=agent,
        targets=[target],
        on_completion=end,
    )
    loop_body = book.action(
        shieldwall("enrich", value="__ip__:value"),
        out_args=["__count__"],
        step_variables={"__note__": {"type": "string", "value": "x"}},
    )
    loop_end = book.end()
    book.link(loop_body, on_completion=loop_end)
    loop = book.step(
        "while-condition", condition="__count__:value < 1", on_true=loop_body, on_completion=http
    )
    high, low = (
        book.action(shieldwall("notify", text="high")),
        book.action(shieldwall("notify", text="low")),
    )
    e1, e2 = book.end(), book.end()
    book.link(high, on_completion=e1)
    book.link(low, on_completion=e2)
    switch = book.step(
        "switch-condition",
        switch="__severity__:value",
        cases={"high": high, "default": low},
        on_completion=loop,
    )
    a, b = (
        book.action(shieldwall("case.open", title="x")),
        book.action(shieldwall("task.open", title="y")),
    )
    ea, eb = book.end(), book.end()
    book.link(a, on_completion=ea)
    book.link(b, on_completion=eb)
    parallel = book.step("parallel", next_steps=[a, b], on_completion=switch)
    sub = book.step(
        "playbook-action", playbook_id=ident("playbook"), on_success=parallel, on_failure=parallel
    )
    yes, no = book.end(), book.end()
    cond = book.step(
        "if-condition",
        condition="__severity__:value = 'high' AND NOT __ip__:value = ''",
        on_true=yes,
        on_false=no,
        on_completion=sub,
    )
    book.link(book.start, on_completion=cond)
    book.doc = sign_playbook(
        book.doc, Ed25519PrivateKey.generate(), signee="tests", now=datetime.now(UTC)
    )
    return book


def test_the_whole_workflow_model_imports_and_round_trips() -> None:
    book = full_model()
    playbook = load_playbook(book.json(), endpoints=ENDPOINTS)
    assert {s.type for s in playbook.steps.values()} == {
        "start",
        "end",
        "action",
        "playbook-action",
        "parallel",
        "if-condition",
        "while-condition",
        "switch-condition",
    }
    exported = export_playbook(playbook)
    again = load_playbook(exported, endpoints=ENDPOINTS)
    assert again == playbook
    assert export_playbook(again) == exported
    assert orjson.loads(exported) == book.doc


def test_an_export_meets_the_specification() -> None:
    """Required properties, id formats and step references, read from the export alone."""
    doc: dict[str, Any] = orjson.loads(
        export_playbook(load_playbook(full_model().json(), endpoints=ENDPOINTS))
    )
    for name in (
        "type",
        "spec_version",
        "id",
        "name",
        "created_by",
        "created",
        "modified",
        "workflow_start",
        "workflow",
    ):
        assert name in doc
    assert (doc["type"], doc["spec_version"]) == ("playbook", "cacao-2.0")
    assert doc["id"].startswith("playbook--") and IDENT.match(doc["id"])
    assert doc["created_by"].startswith("identity--") and STAMP.match(doc["created"])
    assert doc["modified"] >= doc["created"]
    assert doc["workflow"][doc["workflow_start"]]["type"] == "start"
    for step_id, step in doc["workflow"].items():
        assert IDENT.match(step_id) and step_id.split("--")[0] == step["type"]
        targets = [
            step.get(k)
            for k in ("on_completion", "on_success", "on_failure", "on_true", "on_false")
        ]
        targets += step.get("next_steps", []) + list(step.get("cases", {}).values())
        assert all(t in doc["workflow"] for t in targets if t)
        assert not ("on_completion" in step and ("on_success" in step or "on_failure" in step))
    for section in ("agent_definitions", "target_definitions", "data_marking_definitions"):
        assert all(key.split("--")[0] == value["type"] for key, value in doc[section].items())
    assert all(m in doc["data_marking_definitions"] for m in doc["markings"])
    assert all(name.startswith("__") and name.endswith("__") for name in doc["playbook_variables"])


def test_every_problem_is_listed_before_anything_runs() -> None:
    book = Book("bad")
    end = book.end()
    shell = book.action({"type": "bash", "command": "rm -rf /"})
    ssh = book.action({"type": "ssh", "command": "reboot"})
    unbound = book.action(shieldwall("notify", text="__nowhere__:value"))
    outside = book.action(
        {"type": "http-api", "command": "GET /x HTTP/1.1"}, agent=ident("http-api")
    )
    loop_a = book.action(shieldwall("enrich"))
    loop_b = book.action(shieldwall("enrich"))
    book.link(loop_a, on_completion=loop_b)
    book.link(loop_b, on_completion=loop_a)
    orphan = book.action(shieldwall("notify"), on_completion=end)
    odd = book.step("teleport")
    book.link(book.start, on_completion=shell)
    book.link(shell, on_completion=ssh)
    book.link(ssh, on_completion=unbound)
    book.link(unbound, on_completion=outside)
    book.link(outside, on_completion=loop_a, on_failure=ident("action"))
    with pytest.raises(PlaybookRefusedError) as refused:
        load_playbook(book.json(), endpoints=ENDPOINTS)
    text = "\n".join(str(p) for p in refused.value.problems)
    for expected in (
        f"{odd}.type: unknown step type 'teleport'",
        f"{shell}.commands[0].type: the command type 'bash' is not allowed",
        f"{ssh}.commands[0].type: the command type 'ssh' is not allowed",
        f"{unbound}: uses the unbound variable __nowhere__",
        f"{outside}.agent: names no agent in agent_definitions",
        "on_completion excludes on_success and on_failure",
        "refers to the missing step action--",
        "a cycle outside a while-loop",
        f"{orphan}: unreachable from workflow_start",
        f"workflow.{end}: unreachable from workflow_start",
    ):
        assert expected in text
    assert len(refused.value.problems) >= 10


def test_http_api_only_to_configured_endpoints() -> None:
    book = Book()
    agent = ident("http-api")
    book.doc["agent_definitions"] = {
        agent: {"type": "http-api", "address": {"url": ["http://169.254.169.254/latest"]}}
    }
    step = book.action(
        {"type": "http-api", "command": "GET /meta-data HTTP/1.1"},
        agent=agent,
        on_completion=book.end(),
    )
    book.link(book.start, on_completion=step)
    with pytest.raises(PlaybookRefusedError, match="is not one of the configured endpoints"):
        load_playbook(book.json(), endpoints=ENDPOINTS)
    book.doc["agent_definitions"][agent]["address"]["url"] = [ENDPOINT_URL + "/v1"]
    assert load_playbook(book.json(), endpoints=ENDPOINTS).id == book.doc["id"]
    book.doc["agent_definitions"][agent]["address"]["url"] = [
        "https://soar.example.org.evil.test/api"
    ]
    with pytest.raises(PlaybookRefusedError):
        load_playbook(book.json(), endpoints=ENDPOINTS)


def test_required_properties_and_identifier_forms() -> None:
    doc = coalition_block(["alpha"], 1).doc
    doc["spec_version"] = "2.0"
    doc["id"] = "playbook--not-a-uuid"
    doc["created"] = "2026-01-05T10:00:00Z"
    del doc["name"]
    doc["markings"] = [ident("marking-tlp")]
    doc["signatures"] = [{"type": "pgp"}]
    with pytest.raises(PlaybookRefusedError) as refused:
        load_playbook(orjson.dumps(doc))
    places = {p.place for p in refused.value.problems}
    assert {
        "spec_version",
        "id",
        "created",
        "name",
        "markings",
        "signatures[0].type",
        "signatures[0].id",
    } <= places


def test_bad_approvals_are_refused() -> None:
    book = Book()
    step = book.action(
        shieldwall("approval", members=["alpha", "alpha"], required=3, expires_in=0),
        on_completion=book.end(),
    )
    book.link(book.start, on_completion=step)
    with pytest.raises(PlaybookRefusedError) as refused:
        load_playbook(book.json())
    text = str(refused.value)
    assert "members must not repeat" in text and "expires_in" in text and "required" in text


def test_the_yaml_authoring_form_reads_like_the_json() -> None:
    book = coalition_block(["alpha", "bravo"], 2)
    text = yaml.safe_dump(book.doc)
    assert load_playbook(text, form="yaml") == load_playbook(book.json())


def test_yaml_alias_bombs_are_refused() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    with pytest.raises(InputError):
        load_playbook("\n".join(lines), form="yaml")


@pytest.mark.parametrize(
    ("data", "limit"),
    [
        (b"[" * 40 + b"]" * 40, "max_depth"),
        (b'{"a": "' + b"x" * 2_000 + b'"}', "max_bytes"),
    ],
)
def test_budgets_refuse_hostile_documents(data: bytes, limit: str) -> None:
    with pytest.raises(LimitExceededError) as refused:
        load_playbook(data, limits=PlaybookLimits(max_bytes=1_500))
    assert refused.value.limit == limit


def test_too_many_steps_are_refused_before_checking_them() -> None:
    book = Book()
    for _ in range(30):
        book.end()
    with pytest.raises(LimitExceededError, match="more than 20"):
        load_playbook(book.json(), limits=PlaybookLimits(max_steps=20))

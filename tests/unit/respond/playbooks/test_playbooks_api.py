"""Playbooks over REST, through the gate: refusal with every problem, import, export,
a member's approval, and a member not concerned that sees nothing (404 like absent)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.unit.api.conftest import World, build_world
from tests.unit.respond.playbooks.builders import Book, ident, shieldwall


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def _approved_enrich() -> Book:
    book = Book("alpha approves, then enrich")
    approve = book.action(shieldwall("approval", members=["alpha"], expires_in=600))
    enrich = book.action(shieldwall("enrich", techniques=["T1059"]), on_completion=book.end())
    book.link(book.start, on_completion=approve)
    book.link(approve, on_success=enrich, on_failure=book.end())
    return book


def test_a_refused_playbook_lists_every_problem(world: World) -> None:
    book = Book()
    bad = book.action({"type": "bash", "command": "id"}, on_completion=ident("end"))
    book.link(book.start, on_completion=bad)
    book.step("teleport")
    response = world.client.post(
        "/api/v1/playbooks", content=book.json(), headers=world.auth("centre-admin")
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    messages = {p["message"] for p in response.json()["problems"]}
    assert "the command type 'bash' is not allowed" in messages
    assert "unknown step type 'teleport'" in messages
    assert any(m.startswith("refers to the missing step end--") for m in messages)
    checked = world.client.post(
        "/api/v1/playbooks/validate", content=book.json(), headers=world.auth("alpha-analyst")
    )
    assert checked.status_code == 200 and checked.json()["valid"] is False
    assert world.client.get("/api/v1/playbooks", headers=world.auth("centre-admin")).json() == {
        "playbooks": []
    }


def test_import_export_run_approve_through_the_gate(world: World) -> None:
    book = _approved_enrich()
    admin, alpha, bravo = (world.auth(c) for c in ("centre-admin", "alpha-lead", "bravo-lead"))
    assert (
        world.client.post("/api/v1/playbooks", content=book.json(), headers=admin).status_code
        == 201
    )
    pid = book.doc["id"]
    exported = world.client.get(f"/api/v1/playbooks/{pid}", headers=admin)
    assert orjson.loads(exported.content) == book.doc
    assert world.client.get(f"/api/v1/playbooks/{pid}", headers=bravo).status_code == 404
    dry = world.client.post(
        f"/api/v1/playbooks/{pid}/runs", json={"dry_run": True}, headers=admin
    ).json()
    assert [s["kind"] for s in dry["steps"]] == ["approval", "enrich"]
    assert world.client.get("/api/v1/playbook-runs", headers=admin).json() == {"runs": []}
    run = world.client.post(f"/api/v1/playbooks/{pid}/runs", json={}, headers=admin).json()
    assert run["status"] == "waiting" and set(run["concerns"]) == {"alpha", "centre"}

    hidden = world.client.get(f"/api/v1/playbook-runs/{run['id']}", headers=bravo)
    absent = world.client.get(f"/api/v1/playbook-runs/{run['id'] + 1000}", headers=bravo)
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
    assert hidden.status_code == 404
    assert world.client.get("/api/v1/playbook-approvals", headers=bravo).json() == {"approvals": []}
    (approval,) = world.client.get("/api/v1/playbook-approvals", headers=alpha).json()["approvals"]
    refused = world.client.post(
        f"/api/v1/playbook-approvals/{approval['id']}/approve", headers=bravo
    )
    assert refused.status_code == 404
    denied = world.client.post(
        f"/api/v1/playbook-approvals/{approval['id']}/approve", headers=world.auth("alpha-analyst")
    )
    assert denied.status_code == 403

    done = world.client.post(f"/api/v1/playbook-approvals/{approval['id']}/approve", headers=alpha)
    assert done.status_code == 200 and done.json()["status"] == "succeeded"
    view = world.client.get(
        f"/api/v1/playbook-runs/{run['id']}", headers=world.auth("alpha-liaison")
    ).json()
    kinds = [(e["kind"], e["status"]) for e in view["journal"]]
    assert kinds == [("approval", "ok"), ("enrich", "ok")]
    assert view["journal"][0]["actor"].endswith("@alpha")
    assert view["journal"][1]["outputs"]["techniques"][0]["id"] == "T1059"
    assert [
        r["id"] for r in world.client.get("/api/v1/playbook-runs", headers=alpha).json()["runs"]
    ] == [run["id"]]
    assert world.client.get("/api/v1/playbook-runs", headers=bravo).json() == {"runs": []}

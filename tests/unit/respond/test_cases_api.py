"""Cases over REST, on SQLite and PostgreSQL: opened from an incident, worked on by the
member and the centre, shared item by item, with problem documents for every bad request
and hidden answered exactly as absent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.api.conftest import World, build_world


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The coalition on SQLite and on PostgreSQL (``database_url`` of tests/conftest.py)."""
    url = "" if database_url.startswith("sqlite") else database_url
    built = build_world(tmp_path, url, SHIELDWALL_CASE_EVIDENCE_MAX_BYTES="2048")
    yield built
    built.services.close()


def incident(world: World, org: str, severity: str = "high", key: str = "k1") -> int:
    with world.services.store.transaction() as tx:
        return tx.incidents.open(org, f"Evil binary at {org}", severity, f"{org}:{key}")


def call(world: World, caller: str, method: str, path: str, **kw: Any) -> Any:
    headers = {**world.auth(caller), **kw.pop("headers", {})}
    return world.client.request(method, f"/api/v1{path}", headers=headers, **kw)


def opened(world: World, caller: str = "alpha-analyst", org: str = "alpha") -> int:
    response = call(world, caller, "POST", "/cases", json={"incident_id": incident(world, org)})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_open_is_idempotent_and_follows_the_incident(world: World) -> None:
    number = incident(world, "alpha")
    first = call(world, "alpha-analyst", "POST", "/cases", json={"incident_id": number})
    again = call(world, "centre-admin", "POST", "/cases", json={"incident_id": number})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    body = first.json()
    assert (body["org_id"], body["opened_org"], body["severity"], body["status"]) == (
        "alpha",
        "alpha",
        "high",
        "new",
    )
    assert [e["action"] for e in body["timeline"]] == ["opened"]
    hidden = call(world, "bravo-analyst", "POST", "/cases", json={"incident_id": number})
    absent = call(world, "bravo-analyst", "POST", "/cases", json={"incident_id": number + 99})
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()


def test_status_flow_refusals_are_problem_documents(world: World) -> None:
    case = opened(world)
    skip = call(
        world, "alpha-analyst", "POST", f"/cases/{case}/status", json={"status": "contained"}
    )
    assert skip.status_code == 409
    assert skip.headers["content-type"] == "application/problem+json"
    assert "new to contained" in skip.json()["detail"]
    no_reason = call(
        world, "alpha-analyst", "POST", f"/cases/{case}/status", json={"status": "closed"}
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    bogus = call(world, "alpha-analyst", "POST", f"/cases/{case}/status", json={"status": "done"})
    assert bogus.status_code == 422 and bogus.json()["title"] == "Unprocessable Content"
    for step in ("triaged", "in_progress", "contained"):
        moved = call(world, "alpha-analyst", "POST", f"/cases/{case}/status", json={"status": step})
        assert moved.status_code == 200, moved.text
    closed = call(
        world,
        "alpha-lead",
        "POST",
        f"/cases/{case}/status",
        json={"status": "closed", "reason": "reimaged"},
    )
    body = closed.json()
    assert (body["status"], body["close_reason"]) == ("closed", "reimaged")
    assert [e["detail"].get("to") for e in body["timeline"][1:]] == [
        "triaged",
        "in_progress",
        "contained",
        "closed",
    ]


def test_items_carry_their_tlp_and_sharing_shows_only_what_the_gate_allows(world: World) -> None:
    case = opened(world)
    for tlp in ("green", "amber", "amber+strict", "red"):
        added = call(
            world,
            "alpha-analyst",
            "POST",
            f"/cases/{case}/comments",
            json={"text": tlp, "tlp": tlp},
        )
        assert added.status_code == 201 and added.json()["tlp"] == tlp
    hidden = call(world, "bravo-analyst", "GET", f"/cases/{case}")
    absent = call(world, "bravo-analyst", "GET", f"/cases/{case + 50}")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"] == absent.json()["detail"]
    shared = call(
        world,
        "alpha-lead",
        "POST",
        f"/cases/{case}/shares",
        json={"org_id": "bravo", "max_tlp": "amber"},
    )
    assert shared.status_code == 200, shared.text
    seen = call(world, "bravo-analyst", "GET", f"/cases/{case}").json()
    assert [c["text"] for c in seen["comments"]] == ["green", "amber"]
    assert seen["shares"] == [] and seen["manager"] is False
    assert all(e["action"] != "share" for e in seen["timeline"])
    assert len([e for e in seen["timeline"] if e["action"] == "add"]) == 2
    own = call(
        world,
        "bravo-analyst",
        "POST",
        f"/cases/{case}/comments",
        json={"text": "ours", "tlp": "red"},
    )
    assert own.status_code == 201 and own.json()["org_id"] == "bravo"
    assert "ours" in [
        c["text"] for c in call(world, "bravo-lead", "GET", f"/cases/{case}").json()["comments"]
    ]
    mine = call(world, "alpha-lead", "GET", f"/cases/{case}").json()
    assert [c["text"] for c in mine["comments"]] == ["green", "amber", "amber+strict", "red"]
    assert [s["org_id"] for s in mine["shares"]] == ["bravo"]
    refused = call(world, "bravo-lead", "POST", f"/cases/{case}/status", json={"status": "triaged"})
    assert refused.status_code == 403
    gone = call(world, "alpha-lead", "DELETE", f"/cases/{case}/shares/bravo")
    assert gone.status_code == 200
    assert call(world, "bravo-analyst", "GET", f"/cases/{case}").status_code == 404


def test_evidence_is_kept_by_sha256_and_over_the_limit_is_a_413(world: World) -> None:
    case = opened(world)
    content = b"MZ\x90\x00 evil"
    added = call(
        world,
        "alpha-analyst",
        "POST",
        f"/cases/{case}/evidence?name=evil.exe&tlp=amber",
        content=content,
        headers={"content-type": "application/x-msdownload"},
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert (body["size"], body["name"], body["author"]) == (
        len(content),
        "evil.exe",
        world.people["alpha-analyst"],
    )
    fetched = call(world, "alpha-lead", "GET", f"/cases/{case}/evidence/{body['id']}")
    assert fetched.content == content
    assert fetched.headers["x-content-sha256"] == body["sha256"]
    with world.services.store.reading() as tx:
        reads = [e for e in tx.audit.entries() if e.action == "case.evidence.read"]
    assert [(e.principal, e.object_id) for e in reads] == [
        (world.people["alpha-lead"], f"{case}/{body['id']}")
    ]
    big = call(
        world, "alpha-analyst", "POST", f"/cases/{case}/evidence?name=big.bin", content=b"x" * 2049
    )
    assert big.status_code == 413
    assert big.json()["limit"] == "case_evidence_max_bytes"
    assert big.headers["content-type"] == "application/problem+json"
    bad_name = call(
        world, "alpha-analyst", "POST", f"/cases/{case}/evidence?name=../x", content=b"x"
    )
    assert bad_name.status_code == 422 and bad_name.json()["detail"].startswith("name")
    items = call(world, "alpha-lead", "GET", f"/cases/{case}").json()["evidence"]
    assert [i["name"] for i in items] == ["evil.exe"]  # nothing half-written


def test_tasks_assignment_and_hidden_items_answer_like_absent_ones(world: World) -> None:
    case = opened(world)
    task = call(
        world,
        "alpha-analyst",
        "POST",
        f"/cases/{case}/tasks",
        json={
            "title": "Isolate ws1",
            "owner": world.people["alpha-colleague"],
            "tlp": "amber+strict",
        },
    ).json()
    assert (task["status"], task["owner"]) == ("open", world.people["alpha-colleague"])
    call(
        world,
        "alpha-lead",
        "POST",
        f"/cases/{case}/shares",
        json={"org_id": "bravo", "max_tlp": "green"},
    )
    hidden = call(
        world,
        "bravo-analyst",
        "POST",
        f"/cases/{case}/tasks/{task['id']}/status",
        json={"status": "done"},
    )
    absent = call(
        world,
        "bravo-analyst",
        "POST",
        f"/cases/{case}/tasks/{'0' * 36}/status",
        json={"status": "done"},
    )
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"] == absent.json()["detail"] == "not found"
    done = call(
        world,
        "alpha-colleague",
        "POST",
        f"/cases/{case}/tasks/{task['id']}/status",
        json={"status": "done"},
    )
    assert done.json()["status"] == "done"
    assigned = call(
        world,
        "alpha-lead",
        "POST",
        f"/cases/{case}/assign",
        json={"person": world.people["bravo-analyst"], "shift": "night"},
    )
    assert (assigned.json()["assignee"], assigned.json()["shift"]) == (
        world.people["bravo-analyst"],
        "night",
    )
    bad = call(world, "alpha-lead", "POST", f"/cases/{case}/assign", json={"shift": "Night Shift"})
    assert bad.status_code == 422
    sensor = call(
        world,
        "alpha-lead",
        "POST",
        f"/cases/{case}/assign",
        json={"person": world.people["alpha-sensor"]},
    )
    nobody = call(world, "alpha-lead", "POST", f"/cases/{case}/assign", json={"person": "nobody"})
    assert sensor.status_code == nobody.status_code == 422
    assert sensor.json()["detail"] == nobody.json()["detail"]


def test_who_may_do_what(world: World) -> None:
    case = opened(world)
    assert call(world, "alpha-liaison", "GET", f"/cases/{case}").status_code == 200
    assert (
        call(
            world, "alpha-liaison", "POST", f"/cases/{case}/comments", json={"text": "x"}
        ).status_code
        == 403
    )
    assert call(world, "alpha-sensor", "GET", f"/cases/{case}").status_code == 403
    assert (
        call(
            world, "alpha-analyst", "POST", f"/cases/{case}/shares", json={"org_id": "bravo"}
        ).status_code
        == 403
    )
    red = call(
        world,
        "alpha-lead",
        "POST",
        f"/cases/{case}/shares",
        json={"org_id": "bravo", "max_tlp": "red"},
    )
    assert red.status_code == 422
    self_share = call(
        world, "alpha-lead", "POST", f"/cases/{case}/shares", json={"org_id": "alpha"}
    )
    unknown = call(world, "alpha-lead", "POST", f"/cases/{case}/shares", json={"org_id": "zulu"})
    assert self_share.status_code == unknown.status_code == 422
    listed = call(world, "bravo-lead", "GET", "/cases").json()["cases"]
    assert listed == []
    assert [c["id"] for c in call(world, "centre-admin", "GET", "/cases").json()["cases"]] == [case]


def test_bad_requests_are_problem_documents(world: World) -> None:
    case = opened(world)
    for method, path, body in (
        ("POST", "/cases", {"incident_id": "x"}),
        ("POST", "/cases", {"incident_id": 1, "extra": 1}),
        ("POST", f"/cases/{case}/observables", {"type": "ip", "value": "999.1.1.1"}),
        ("POST", f"/cases/{case}/observables", {"type": "gopher", "value": "x"}),
        ("POST", f"/cases/{case}/comments", {"text": "x", "tlp": "purple"}),
        ("POST", f"/cases/{case}/tasks", {"title": "t", "due_at": "2026-12-01T10:00:00"}),
        ("GET", "/cases/0", None),
        ("GET", "/cases?limit=0", None),
    ):
        response = call(world, "alpha-analyst", method, path, json=body)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= response.json().keys()


def test_handover_over_rest(world: World) -> None:
    number = incident(world, "alpha")
    first = call(world, "alpha-lead", "GET", "/handover").json()
    assert [i["id"] for i in first["new_incidents"]] == [number] and first["taken"] is False
    assert call(world, "alpha-liaison", "POST", "/handover").status_code == 403
    taken = call(world, "alpha-lead", "POST", "/handover").json()
    assert taken["taken"] is True and taken["since"] is None
    after = call(world, "alpha-analyst", "GET", "/handover").json()
    assert after["new_incidents"] == [] and after["since"] is not None
    assert after["pending_approvals"] == [] and after["open_requests"] == []  # wired, none waits
    assert call(world, "bravo-lead", "GET", "/handover").json()["new_incidents"] == []
    assert call(world, "alpha-sensor", "GET", "/handover").status_code == 403

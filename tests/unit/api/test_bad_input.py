"""Bad requests get a clear 4xx problem document, and the database is left unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.api.conftest import World

TABLES = ("organisations", "people", "api_tokens", "audit_entries", "audit_head")


def _snapshot(world: World) -> dict[str, Any]:
    with world.services.store.engine.connect() as db:
        counts = {
            table: db.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() for table in TABLES
        }
        counts["head"] = db.exec_driver_sql("SELECT hash FROM audit_head").scalar()
    return counts


def _assert_problem(response: Any, status: int, mentions: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert mentions in body["detail"]
    assert "Traceback" not in response.text
    assert "SELECT" not in response.text.upper().replace("SELECTION", "")


ORG = "/api/v1/organisations"


@pytest.mark.parametrize(
    ("payload", "mentions"),
    [
        ({"id": "Bad_Slug", "name": "x", "kind": "civil", "country": "FR"}, "body.id"),
        ({"id": "ok", "name": "x", "kind": "pirate", "country": "FR"}, "body.kind"),
        ({"id": "ok", "name": "x", "kind": "civil", "country": "France"}, "body.country"),
        ({"id": "ok", "name": 12, "kind": "civil", "country": "FR"}, "body.name"),
        ({"id": "ok", "name": "x", "kind": "civil", "country": "FR", "admin": True}, "body.admin"),
        ({"id": "ok", "kind": "civil", "country": "FR"}, "body.name"),
        ({"id": "ok", "name": "x", "kind": "civil", "country": "FR", "sectors": "e"}, "sectors"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(
    world: World, payload: dict[str, Any], mentions: str
) -> None:
    before = _snapshot(world)
    response = world.client.post(ORG, json=payload, headers=world.auth("centre-admin"))
    _assert_problem(response, 422, mentions)
    assert _snapshot(world) == before


def test_malformed_json_is_422(world: World) -> None:
    before = _snapshot(world)
    response = world.client.post(
        ORG,
        content=b'{"id": "ok", "name": ',
        headers={**world.auth("centre-admin"), "content-type": "application/json"},
    )
    _assert_problem(response, 422, "body")
    assert _snapshot(world) == before


def test_oversize_body_is_413_before_it_is_read(world: World) -> None:
    before = _snapshot(world)
    big = b'{"id": "x", "name": "' + b"a" * 70_000 + b'"}'
    response = world.client.post(
        ORG, content=big, headers={**world.auth("centre-admin"), "content-type": "application/json"}
    )
    _assert_problem(response, 413, "limited to 65536 bytes")
    assert _snapshot(world) == before


def test_chunked_oversize_body_is_413(world: World) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b"a" * 8192

    response = world.client.post(
        ORG,
        content=chunks(),
        headers={**world.auth("centre-admin"), "content-type": "application/json"},
    )
    _assert_problem(response, 413, "limited")


def test_duplicate_is_409_and_unknown_parent_is_422(world: World) -> None:
    before = _snapshot(world)
    duplicate = {"id": "alpha", "name": "x", "kind": "civil", "country": "FR"}
    response = world.client.post(ORG, json=duplicate, headers=world.auth("centre-admin"))
    _assert_problem(response, 409, "already exists")
    orphan = {"id": "orphan", "name": "x", "kind": "civil", "country": "FR", "parent_id": "ghost"}
    response = world.client.post(ORG, json=orphan, headers=world.auth("centre-admin"))
    _assert_problem(response, 422, "parent_id")
    assert _snapshot(world) == before


def test_wrong_query_types_are_422(world: World) -> None:
    response = world.client.get("/api/v1/audit?limit=lots", headers=world.auth("centre-admin"))
    _assert_problem(response, 422, "query.limit")


def test_unknown_paths_are_problem_documents(world: World) -> None:
    response = world.client.get("/api/v1/nothing-here", headers=world.auth("alpha-lead"))
    _assert_problem(response, 404, "Not Found")


def test_hidden_and_absent_objects_look_the_same(world: World) -> None:
    hidden = world.client.get("/api/v1/organisations/bravo", headers=world.auth("alpha-lead"))
    absent = world.client.get("/api/v1/organisations/nobody", headers=world.auth("alpha-lead"))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()


@pytest.mark.parametrize(
    ("path", "who", "place"),
    [
        ("/api/v1/audit?after=" + "9" * 40, "centre-admin", "query.after"),
        ("/api/v1/intel/revocations?since=" + "9" * 40, "alpha-analyst", "query.since"),
        ("/api/v1/intel/revocations?since=9223372036854775808", "alpha-analyst", "query.since"),
    ],
)
def test_sequence_numbers_beyond_any_column_are_4xx_naming_the_parameter(
    world: World, path: str, who: str, place: str
) -> None:
    """Issue 9 (low): a huge integer used to reach the database and answer 500."""
    response = world.client.get(path, headers=world.auth(who))
    assert 400 <= response.status_code < 500
    _assert_problem(response, response.status_code, place)

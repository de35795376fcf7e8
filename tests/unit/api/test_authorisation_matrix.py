"""Every endpoint x every role x own/other organisation, generated from the route table.

The expectations below are written by hand from the access rules (docs/operations.md); the
test fails if the app has a route neither this table nor its application's suite covers
(:data:`COVERED_ELSEWHERE`), so a new endpoint cannot escape. Cross-organisation requests
must never succeed, and no response body may mention the other organisation's people or
tokens.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from shieldwall.api.app import ROUTERS
from shieldwall.model.identity import Principal, Role
from shieldwall.model.sharing import Community
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.publish import publish
from tests.unit.api.conftest import MEMBER_ROLES, World
from tests.unit.share.intel_world import indicator

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/"),
    ("POST", "/api/v1/login"),
}
"""Routes anyone may call; /api/v1/login is covered by test_tokens.py."""

L, A, LI, S = Role.LEAD, Role.ANALYST, Role.LIAISON, Role.SENSOR
READERS = {L: 200, A: 200, LI: 200, S: 403}
CENTRE_ONLY = {L: 403, A: 403, LI: 403, S: 403}
LEAD_WRITES = {L: 201, A: 403, LI: 403, S: 403}
ALL_HIDDEN = {L: 404, A: 404, LI: 404, S: 404}
INTEL_READERS = {L: 200, A: 200, LI: 200, S: 403}
INTEL_HIDDEN = {L: 404, A: 404, LI: 404, S: 403}
PUBLISHERS = {L: 201, A: 201, LI: 201, S: 403}

# (method, path) -> (expected for own organisation by role, for the other organisation)
MATRIX: dict[tuple[str, str], tuple[dict[Role, int], dict[Role, int] | None]] = {
    ("GET", "/api/v1/organisations"): (READERS, None),
    ("POST", "/api/v1/organisations"): (CENTRE_ONLY, None),
    ("GET", "/api/v1/organisations/{org_id}"): (READERS, ALL_HIDDEN),
    ("POST", "/api/v1/organisations/{org_id}/suspend"): (CENTRE_ONLY, ALL_HIDDEN),
    ("POST", "/api/v1/organisations/{org_id}/reactivate"): (CENTRE_ONLY, ALL_HIDDEN),
    ("GET", "/api/v1/organisations/{org_id}/people"): (READERS, ALL_HIDDEN),
    ("POST", "/api/v1/organisations/{org_id}/people"): (LEAD_WRITES, ALL_HIDDEN),
    ("GET", "/api/v1/people/{person_id}"): (READERS, ALL_HIDDEN),
    ("GET", "/api/v1/me"): ({L: 200, A: 200, LI: 200, S: 200}, None),
    ("GET", "/api/v1/tokens"): ({L: 200, A: 200, LI: 200, S: 403}, None),
    ("POST", "/api/v1/tokens"): (LEAD_WRITES, ALL_HIDDEN),
    ("DELETE", "/api/v1/tokens/{token_id}"): ({L: 204, A: 403, LI: 403, S: 403}, ALL_HIDDEN),
    ("GET", "/api/v1/audit"): ({L: 200, A: 403, LI: 403, S: 403}, None),
    ("POST", "/api/v1/audit/verify"): (CENTRE_ONLY, None),
    ("GET", "/api/v1/intel/objects"): (INTEL_READERS, None),
    ("GET", "/api/v1/intel/objects/{object_id}"): (INTEL_READERS, INTEL_HIDDEN),
    ("POST", "/api/v1/intel/sightings"): (PUBLISHERS, INTEL_HIDDEN),
    ("GET", "/api/v1/intel/revocations"): (INTEL_READERS, None),
    ("POST", "/api/v1/intel/import"): (INTEL_READERS, None),
    ("GET", "/api/v1/intel/export"): (INTEL_READERS, None),
    ("GET", "/api/v1/communities"): (READERS, None),
    ("POST", "/api/v1/communities"): ({L: 403, A: 403, LI: 403, S: 403}, None),
    ("GET", "/api/v1/communities/{community_id}"): (READERS, ALL_HIDDEN),
    ("PUT", "/api/v1/communities/{community_id}"): (CENTRE_ONLY, ALL_HIDDEN),
}
"""POST /tokens and DELETE /tokens target a colleague in the own organisation (the lead's
power); a person's own tokens are covered in test_tokens.py.

Intelligence: ``{object_id}`` is an indicator the target organisation published at
TLP:AMBER+STRICT (its own: visible; the other's: not found, like an absent one); a
sighting of it is reported by members who may publish. A sensor may not read intelligence
at all (the permission table): 403 on every intelligence route, whoever owns the object,
so its answers tell nothing about what exists.
``{community_id}`` is a community holding only the target organisation (a member sees its
own; another's is not found)."""

GATE_BOUND = {
    ("GET", "/api/v1/intel/objects/{object_id}"),
    ("POST", "/api/v1/intel/sightings"),
}
"""The centre's admins have no read right beyond the sharing gate (tlp-policy.md grants
none): bravo's TLP:AMBER+STRICT indicator is not found for them either."""

_bodies = iter(range(10_000))


def _body(method: str, path: str, target_org: str, world: World) -> dict[str, Any] | None:
    number = next(_bodies)
    if (method, path) == ("POST", "/api/v1/organisations"):
        return {"id": f"new-{number}", "name": "New", "kind": "civil", "country": "NL"}
    if path.endswith("/people") and method == "POST":
        return {"name": "New", "email": f"n{number}@x.example", "role": "analyst"}
    if (method, path) == ("POST", "/api/v1/tokens"):
        return {"name": "t", "person_id": world.people[f"{target_org}-colleague"]}
    if (method, path) == ("POST", "/api/v1/intel/sightings"):
        return {"sighting_of_ref": _strict_indicator(target_org, world), "count": 2}
    if (method, path) == ("POST", "/api/v1/intel/import"):
        bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}"}
        return {**bundle, "objects": [indicator(target_org)]}
    if (method, path) == ("POST", "/api/v1/communities"):
        return {"id": f"new-{number}", "name": "New", "rules": [{"countries": ["FR"]}]}
    if (method, path) == ("PUT", "/api/v1/communities/{community_id}"):
        return {"name": "Renamed", "members": [target_org]}
    return None


def _strict_indicator(org: str, world: World) -> str:
    """An indicator ``org`` publishes at TLP:AMBER+STRICT (a new one per call)."""
    obj = indicator(org, tlp="strict")
    with world.services.store.transaction() as tx:
        by = Principal(world.people[f"{org}-colleague"], org, Role.ANALYST)
        result = publish(tx, by, [obj], Addressing(), StoreDirectory(tx))
    assert result.stored, result.failures
    return str(obj["id"])


def _own_community(org: str, world: World) -> str:
    """A community holding exactly ``org`` (created on first use)."""
    community_id = f"only-{org}"
    with world.services.store.transaction() as tx:
        if tx.communities.get(community_id) is None:
            tx.communities.add(Community(community_id, f"Only {org}", members=frozenset({org})))
    return community_id


def _url(path: str, target_org: str, world: World) -> str:
    url = (
        path.replace("{org_id}", target_org)
        .replace("{person_id}", world.people[f"{target_org}-colleague"])
        .replace("{token_id}", world.token_ids[f"{target_org}-colleague"])
    )
    if "{object_id}" in url:
        url = url.replace("{object_id}", _strict_indicator(target_org, world))
    if "{community_id}" in url:
        url = url.replace("{community_id}", _own_community(target_org, world))
    return url


COVERED_ELSEWHERE: dict[str, str] = {
    "/api/v1/alerts": "tests/unit/live/test_live_pipeline.py",
    "/api/v1/assistance": "tests/unit/respond/test_respond_api.py",
    "/api/v1/campaigns": "tests/unit/live/test_incidents_api.py",
    "/api/v1/cases": "tests/unit/respond/test_cases_api.py",
    "/api/v1/handover": "tests/unit/respond/test_cases_api.py",
    "/api/v1/incidents": "tests/unit/live/test_incidents_api.py",
    "/api/v1/ingest": "tests/unit/live/test_ingest_limits.py",
    "/api/v1/measures": "tests/unit/api/test_measures_api.py",
    "/api/v1/notify": "tests/unit/respond/test_respond_api.py",
    "/api/v1/organisations/{org_id}/sectors": "tests/unit/api/test_posture_api.py",
    "/api/v1/playbook-approvals": "tests/unit/respond/playbooks/test_playbooks_api.py",
    "/api/v1/playbook-runs": "tests/unit/respond/playbooks/test_playbooks_api.py",
    "/api/v1/playbooks": "tests/unit/respond/playbooks/test_playbooks_api.py",
    "/api/v1/posture": "tests/unit/api/test_posture_api.py",
    "/api/v1/reports": "tests/unit/runtime/test_sitrep_cross_org.py",
    "/api/v1/rules": "tests/unit/live/test_rules_api.py",
    "/api/v1/stream": "tests/unit/api/test_stream_sse.py",
}
"""Route families whose own-versus-other-organisation answers are checked by the suite of
their application (each with its oracle or cross-organisation tests), not by this table.
Every route, these included, is also called with a sensor's token and fuzzed
(test_sensor_routes.py, test_never_5xx.py)."""


def _routes() -> set[tuple[str, str]]:
    """Every REST route, read from the routers the app mounts: FastAPI keeps an included
    router as one entry of ``app.routes``, so the app's own list does not show them all."""
    found = set()
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute | Route)
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, route.path))
    return found


def _covered_elsewhere(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in COVERED_ELSEWHERE)


def test_every_route_is_in_the_matrix_or_its_applications_suite() -> None:
    routes = _routes()
    assert len(routes) > len(MATRIX)  # the walk sees the included routers
    uncovered = {r for r in routes - set(MATRIX) - PUBLIC if not _covered_elsewhere(r[1])}
    assert not uncovered, f"routes missing from the authorisation matrix: {sorted(uncovered)}"
    root = Path(__file__).resolve().parents[3]
    assert all((root / suite).is_file() for suite in COVERED_ELSEWHERE.values())


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_anonymous_callers_are_refused(world: World, method: str, path: str) -> None:
    response = world.client.request(method, _url(path, "alpha", world))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
@pytest.mark.parametrize("role", MEMBER_ROLES, ids=lambda role: role.value)
def test_matrix(world: World, method: str, path: str, role: Role) -> None:
    own, other = MATRIX[(method, path)]
    caller = f"alpha-{role.value}"
    targets = [("alpha", own)] + ([("bravo", other)] if other is not None else [])
    for target, expected in targets:
        response = world.client.request(
            method,
            _url(path, target, world),
            json=_body(method, path, target, world),
            headers=world.auth(caller),
        )
        assert response.status_code == expected[role], (target, response.text)
        for name, person_id in world.people.items():
            if name.startswith("bravo"):
                assert person_id not in response.text
                assert world.token_ids[name] not in response.text


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_the_centre_admin_reaches_every_organisation(world: World, method: str, path: str) -> None:
    response = world.client.request(
        method,
        _url(path, "bravo", world),
        json=_body(method, path, "bravo", world),
        headers=world.auth("centre-admin"),
    )
    if (method, path) in GATE_BOUND:
        assert response.status_code == 404, response.text
        return
    assert response.status_code < 300, response.text


@pytest.mark.parametrize("path", ["/", "/healthz", "/readyz", "/metrics", "/openapi.json"])
def test_public_endpoints_answer_without_a_token(world: World, path: str) -> None:
    assert world.client.get(path).status_code == 200


def test_lists_hold_only_the_own_organisation(world: World) -> None:
    orgs = world.client.get("/api/v1/organisations", headers=world.auth("alpha-analyst")).json()
    assert [org["id"] for org in orgs] == ["alpha"]
    tokens = world.client.get("/api/v1/tokens", headers=world.auth("alpha-lead")).json()
    owners = {token["person_id"] for token in tokens}
    alpha_people = {pid for name, pid in world.people.items() if name.startswith("alpha")}
    assert owners == alpha_people
    for org in ("alpha", "bravo"):
        created = world.client.post(
            f"/api/v1/organisations/{org}/people",
            json={"name": "N", "email": f"n@{org}.example", "role": "analyst"},
            headers=world.auth(f"{org}-lead"),
        )
        assert created.status_code == 201
    audit = world.client.get("/api/v1/audit?limit=1000", headers=world.auth("alpha-lead")).json()
    assert "person.create" in {entry["action"] for entry in audit}
    assert {entry["org_id"] for entry in audit} == {"alpha"}

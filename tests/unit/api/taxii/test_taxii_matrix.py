"""The TAXII routes' own authorisation matrix (the mount at /taxii2 is covered here).

Every route of the TAXII sub-application x each member role: anonymous callers get 401,
sensors may neither read nor write intelligence (403 everywhere), and a collection the
caller cannot use is 404. The test fails when the sub-application has a route this table
does not cover.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from shieldwall.api.taxii.routes import router
from shieldwall.model.identity import Role
from tests.unit.api.conftest import MEMBER_ROLES
from tests.unit.api.taxii.conftest import TAXII, Taxii
from tests.unit.share.intel_world import indicator

L, A, LI, S = Role.LEAD, Role.ANALYST, Role.LIAISON, Role.SENSOR
ALL_OK = {L: 200, A: 200, LI: 200, S: 403}
WRITE = {L: 202, A: 202, LI: 202, S: 403}
DELETE = {L: 200, A: 200, LI: 200, S: 403}
MATRIX: dict[tuple[str, str], dict[Role, int]] = {
    ("GET", "/"): ALL_OK,
    ("GET", "/{root}/"): ALL_OK,
    ("GET", "/{root}/collections/"): ALL_OK,
    ("GET", "/{root}/collections/{collection_id}/"): ALL_OK,
    ("GET", "/{root}/collections/{collection_id}/objects/"): ALL_OK,
    ("POST", "/{root}/collections/{collection_id}/objects/"): WRITE,
    ("GET", "/{root}/collections/{collection_id}/objects/{object_id}/"): ALL_OK,
    ("DELETE", "/{root}/collections/{collection_id}/objects/{object_id}/"): DELETE,
    ("GET", "/{root}/collections/{collection_id}/objects/{object_id}/versions/"): ALL_OK,
    ("GET", "/{root}/collections/{collection_id}/manifest/"): ALL_OK,
    ("GET", "/{root}/status/{status_id}/"): ALL_OK,
}


def _taxii_routes(taxii: Taxii) -> set[tuple[str, str]]:
    mount = next(r for r in taxii.world.client.app.routes if isinstance(r, Mount))  # type: ignore[attr-defined]
    assert mount.path == "/taxii2"  # the router below is what the mount serves
    return {
        (method, route.path)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD"
    }


def test_every_taxii_route_is_in_the_matrix(taxii: Taxii) -> None:
    assert _taxii_routes(taxii) == set(MATRIX)


def _url(taxii: Taxii, path: str, role: Role) -> str:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, [obj], "alpha-lead")
    status = taxii.post(collection, [indicator("alpha")], f"alpha-{role.value}")
    assert status.status_code == (403 if role is Role.SENSOR else 202)
    status_id = status.json()["id"] if status.status_code == 202 else "none"
    if role is Role.SENSOR:
        lead_status = taxii.post(collection, [indicator("alpha")], "alpha-lead").json()
        status_id = lead_status["id"]
    return "/taxii2" + (
        path.replace("{root}", "intel")
        .replace("{collection_id}", collection)
        .replace("{object_id}", str(obj["id"]))
        .replace("{status_id}", status_id)
    )


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
@pytest.mark.parametrize("role", MEMBER_ROLES, ids=lambda role: role.value)
def test_taxii_matrix(taxii: Taxii, method: str, path: str, role: Role) -> None:
    url = _url(taxii, path, role)
    caller = f"alpha-{role.value}"
    body = b'{"objects": []}' if method == "POST" else None
    headers = taxii.headers(caller, **({"Content-Type": TAXII} if body else {}))
    response = taxii.world.client.request(method, url, content=body, headers=headers)
    assert response.status_code == MATRIX[(method, path)][role], response.text
    anonymous = taxii.world.client.request(method, url, content=body, headers={"Accept": TAXII})
    assert anonymous.status_code == 401

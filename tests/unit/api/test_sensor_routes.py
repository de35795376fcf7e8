"""A sensor may do what the permission table gives it, on every route, and nothing else.

Issue 9 (low): sensor tokens could read intelligence, contrary to docs/operations.md, and
sensors could be given passwords and log in. The class: a role doing more than its row of
the permission table (``shieldwall.policy.roles.PERMISSIONS``). So every REST and TAXII
route (the never-5xx suite's enumeration, read from the application itself) is called
with a sensor's token and with values that make the request servable — the sensor's own
organisation, person and token, an object its organisation published, a collection and a
community it belongs to, a valid body — and only the routes the table allows a sensor may
answer anything but 403 or 404. The same requests made by its lead (or the centre's
admin, for coalition-wide routes) are served, so each refusal is the role's, not the input's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.access.communities import add_community
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import NewAlert
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind, Person, Principal, Role
from shieldwall.model.sharing import Community
from shieldwall.policy.roles import CENTRE_ONLY, PERMISSIONS, Action
from tests.unit.api.conftest import World, build_world
from tests.unit.api.test_never_5xx import ENDPOINTS, PARAM
from tests.unit.respond.playbooks.builders import alpha_approves_enrich
from tests.unit.share.intel_world import indicator

TAXII = "application/taxii+json;version=2.1"
SENSOR = "alpha-sensor"
ANYONE = {("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/api/v1/login")}
"""Routes that take no token at all."""
SENSOR_ROUTES = {
    ("GET", "/api/v1/me"): Action.SELF_READ,
    ("POST", "/api/v1/ingest"): Action.TELEMETRY_SEND,
}
"""Routes a sensor may use, with the permission that lets it (protective measures have no
route yet: when they do, they belong here)."""
COALITION_WIDE = {
    ("POST", "/api/v1/organisations"),
    ("POST", "/api/v1/organisations/{org_id}/suspend"),
    ("POST", "/api/v1/organisations/{org_id}/reactivate"),
    ("POST", "/api/v1/audit/verify"),
    ("POST", "/api/v1/communities"),
    ("PUT", "/api/v1/communities/{community_id}"),
}
"""Routes only the centre's admin is served on (the control caller for these)."""


ALERT = NewAlert(
    key="alpha:1:rule",
    org_id="alpha",
    rule_id="rule",
    rule_title="Evil binary started",
    level="high",
    tags=(),
    event_time=None,
    source="ingest:alpha:b#1",
    matched={},
    event={},
)


@pytest.fixture(scope="module")
def coalition(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A world of its own: the control calls change it (a token revoked, alpha suspended)."""
    built = build_world(tmp_path_factory.mktemp("sensor-routes"))
    add_community(
        built.services.store,
        OPERATOR,
        Community("alpha-circle", "Alpha", members=frozenset({"alpha"})),
    )
    yield built
    built.services.store.close()


def _collection(world: World) -> str:
    headers = {**world.auth("alpha-lead"), "Accept": TAXII}
    listed = world.client.get("/taxii2/intel/collections/", headers=headers).json()
    return next(c["id"] for c in listed["collections"] if c["title"] == "To Alpha CERT")


def _taxii_post(world: World, collection: str, obj: dict[str, Any]) -> dict[str, Any]:
    headers = {**world.auth("alpha-lead"), "Accept": TAXII, "Content-Type": TAXII}
    response = world.client.post(
        f"/taxii2/intel/collections/{collection}/objects/",
        content=orjson.dumps({"objects": [obj]}),
        headers=headers,
    )
    assert response.status_code == 202, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture(scope="module")
def values(coalition: World) -> dict[str, str]:
    """Path values that make each request servable for the sensor's organisation."""
    collection = _collection(coalition)
    published = indicator("alpha")
    status = _taxii_post(coalition, collection, published)
    with coalition.services.store.transaction() as tx:  # an alert of alpha's telemetry
        tx.alerts.add([ALERT])
    with coalition.services.store.transaction() as tx:  # and the incident it opened
        hit = tx.alerts.hit(ALERT.key)
        assert hit is not None
        incident_id = fuse_hit(tx.incidents, hit, GroupingRules())
        bravos = tx.incidents.open("bravo", "Seen at bravo", "low", "seed:bravo")
        for member, incident in (("alpha", incident_id), ("bravo", bravos)):  # a campaign
            tx.campaigns.note("ip:192.0.2.1", member, incident, datetime.now(UTC))
        campaign_id = tx.campaigns.page(None, after=0, limit=1)[0].id
    with coalition.services.store.reading() as tx:
        seq = tx.alerts.page({"alpha"}, after=0, limit=1)[0].seq
    return {
        "org_id": "alpha",
        "person_id": coalition.people[SENSOR],
        "token_id": coalition.token_ids[SENSOR],
        "object_id": str(published["id"]),
        "community_id": "alpha-circle",
        "root": "intel",
        "collection_id": collection,
        "status_id": str(status["id"]),
        "seq": str(seq),
        "incident_id": str(incident_id),
        "campaign_id": str(campaign_id),
        **_playbook_values(coalition),
    }


PLAYBOOK = alpha_approves_enrich().doc
"""A playbook alpha's lead imports; a run of it waits for alpha's approval (issue 11)."""


def _playbook_values(world: World) -> dict[str, str]:
    """Alpha's playbook, a run of it waiting, and the pending approval."""
    lead = Principal(world.people["alpha-lead"], "alpha", Role.LEAD, OrgKind.NATION)
    desk = world.services.playbooks
    desk.import_playbook(lead, orjson.dumps(PLAYBOOK))
    desk.run(lead, PLAYBOOK["id"])
    (approval,) = desk.pending(lead)
    return {
        "playbook_id": PLAYBOOK["id"],
        "run_id": str(approval.run_id),
        "approval_id": str(approval.id),
        "decision": "approve",
    }


def _body(method: str, path: str, values: dict[str, str]) -> bytes | None:
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/api/v1/organisations"): {
            "id": "zulu", "name": "Zulu", "kind": "nation", "country": "NL"
        },
        ("POST", "/api/v1/organisations/{org_id}/people"): {
            "name": "New", "email": "new@alpha.example", "role": "analyst"
        },
        ("POST", "/api/v1/tokens"): {"name": "another"},
        ("POST", "/api/v1/login"): {"email": "x@alpha.example", "password": "x"},
        ("POST", "/api/v1/intel/sightings"): {"sighting_of_ref": values["object_id"]},
        ("POST", "/api/v1/communities"): {"id": "zulu-circle", "name": "Z", "members": ["alpha"]},
        ("PUT", "/api/v1/communities/{community_id}"): {"name": "Alpha", "members": ["alpha"]},
        ("POST", "/taxii2/{root}/collections/{collection_id}/objects/"): {
            "objects": [indicator("alpha")]
        },
        ("POST", "/api/v1/organisations/{org_id}/suspend"): None,
        ("POST", "/api/v1/organisations/{org_id}/reactivate"): None,
        ("POST", "/api/v1/audit/verify"): None,
        ("POST", "/api/v1/ingest"): "<38>Dec  1 10:00:01 web1 sshd[1]: Failed password",
        ("POST", "/api/v1/incidents/{incident_id}/assign"): {"assignee": None},
        ("POST", "/api/v1/incidents/{incident_id}/status"): {"status": "triaged"},
        ("POST", "/api/v1/incidents/{incident_id}/comments"): {"text": "looking"},
        ("POST", "/api/v1/playbooks"): PLAYBOOK,
        ("POST", "/api/v1/playbooks/validate"): PLAYBOOK,
        ("PUT", "/api/v1/playbooks/{playbook_id}/triggers"): [],
        ("POST", "/api/v1/playbooks/{playbook_id}/runs"): {"dry_run": True},
        ("POST", "/api/v1/playbook-approvals/{approval_id}/{decision}"): None,
    }  # fmt: skip
    if method not in ("POST", "PUT"):
        return None
    assert (method, path) in bodies, f"give {method} {path} a valid body (or None) here"
    body = bodies[(method, path)]
    return None if body is None else orjson.dumps(body)


def _call(world: World, caller: str, method: str, path: str, values: dict[str, str]) -> int:
    url = PARAM.sub(lambda match: values[match.group(1)], path)
    media = TAXII if path.startswith("/taxii2") else "application/json"
    headers = {**world.auth(caller), "Accept": media, "Content-Type": media}
    body = _body(method, path, values)
    return world.client.request(method, url, content=body, headers=headers).status_code


def _last(endpoint: tuple[str, str]) -> tuple[bool, bool, str, str]:
    """Order of the control calls: what destroys the request values goes last."""
    method, path = endpoint
    return "suspend" in path, method == "DELETE", method, path


ROUTES = sorted({(method, path) for method, path, _ in ENDPOINTS} - ANYONE, key=_last)


def test_a_sensor_is_served_only_where_the_permission_table_allows(
    coalition: World, values: dict[str, str]
) -> None:
    assert all(action in PERMISSIONS[Role.SENSOR] for action in SENSOR_ROUTES.values())
    sensor = {route: _call(coalition, SENSOR, *route, values) for route in ROUTES}
    served = {route for route, status in sensor.items() if status not in (403, 404)}
    assert served == set(SENSOR_ROUTES), sensor
    assert all(status < 500 for status in sensor.values())
    for route in ROUTES:
        control = "centre-admin" if route in COALITION_WIDE else "alpha-lead"
        status = _call(coalition, control, *route, values)
        assert status < 400, (route, control, status)


def test_every_coalition_wide_route_needs_a_centre_only_action() -> None:
    """The control callers above follow the table: coalition-wide routes are centre-only."""
    assert {Action.ORG_CREATE, Action.ORG_SUSPEND, Action.AUDIT_VERIFY} <= CENTRE_ONLY
    assert Action.COMMUNITY_MANAGE in CENTRE_ONLY


def test_a_sensor_cannot_be_given_a_password(world: World) -> None:
    store = world.services.store
    sensor = Person("", "alpha", "Probe", "probe@alpha.example", Role.SENSOR)
    with pytest.raises(InputError, match="password"):
        accounts.add_person(store, OPERATOR, sensor, "a long password!")
    response = world.client.post(
        "/api/v1/organisations/alpha/people",
        json={"name": "P", "email": "p2@alpha.example", "role": "sensor", "password": "x" * 16},
        headers=world.auth("alpha-lead"),
    )
    assert response.status_code == 422
    assert "password" in response.json()["detail"]


@pytest.mark.parametrize("role", list(Role))
def test_only_roles_with_password_login_may_log_in(world: World, role: Role) -> None:
    """A sensor given a password by an older version is refused like a wrong password."""
    store = world.services.store
    email = f"{role.value}-login@centre.example"
    person = accounts.add_person(
        store,
        OPERATOR,
        Person("", "centre", "L", email, role),
        None if role is Role.SENSOR else "a long password!",
    )
    if role is Role.SENSOR:  # as revision 0007 found it in an older database
        from shieldwall.access.credentials import hash_password

        with store.engine.begin() as db:
            db.exec_driver_sql(
                "UPDATE people SET password_hash = ? WHERE id = ?",
                (hash_password("a long password!"), person.id),
            )
    response = world.client.post(
        "/api/v1/login", json={"email": email, "password": "a long password!"}
    )
    expected = 201 if Action.PASSWORD_LOGIN in PERMISSIONS[role] else 401
    assert response.status_code == expected, response.text

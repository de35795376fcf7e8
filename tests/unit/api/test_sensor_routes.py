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
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.access.communities import add_community
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import NewAlert
from shieldwall.model.assistance import Need, Urgency
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind, Person, Principal, Role
from shieldwall.model.measures import Subscription
from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.model.sharing import Community, TlpLevel
from shieldwall.policy.roles import CENTRE_ONLY, PERMISSIONS, Action
from shieldwall.respond import ChannelRequest, HelpWanted, IssueRequest
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
    ("GET", "/api/v1/measures"): Action.MEASURES_READ,
    ("GET", "/api/v1/measures/key"): Action.MEASURES_READ,
    ("GET", "/api/v1/measures/subscriptions"): Action.MEASURES_READ,
    ("GET", "/api/v1/measures/allowlist"): Action.MEASURES_READ,
    ("GET", "/api/v1/measures/lists/{name}/report"): Action.MEASURES_READ,
    ("GET", "/api/v1/measures/lists/{name}/manifest"): Action.MEASURES_READ,
    ("GET", "/api/v1/measures/lists/{name}/{fmt}"): Action.MEASURES_READ,
}
"""Routes a sensor may use, with the permission that lets it."""
COALITION_WIDE = {
    ("POST", "/api/v1/organisations"),
    ("POST", "/api/v1/organisations/{org_id}/suspend"),
    ("POST", "/api/v1/organisations/{org_id}/reactivate"),
    ("POST", "/api/v1/audit/verify"),
    ("POST", "/api/v1/communities"),
    ("PUT", "/api/v1/communities/{community_id}"),
    ("PUT", "/api/v1/organisations/{org_id}/sectors"),
    ("POST", "/api/v1/posture/recompute"),
}
"""Routes only the centre's admin is served on (the control caller for these)."""
CENTRE_CONTROLLED = {
    ("POST", "/api/v1/assistance/{request_id}/offers"),
    ("POST", "/api/v1/assistance/{request_id}/offers/{offer_id}/accept"),
    ("POST", "/api/v1/assistance/{request_id}/offers/{offer_id}/progress"),
    ("POST", "/api/v1/assistance/{request_id}/close"),
}
"""Routes whose control caller is the centre's admin: on alpha's request for assistance the
centre offers help (alpha cannot offer to itself), accepts its offer, reports and closes."""


RULE_OF_ALPHA = """\
title: Alpha's tool
id: 5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6
logsource: {product: windows, category: process_creation}
detection: {selection: {Image|endswith: 'alphatool.exe'}, condition: selection}
"""

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
    built = build_world(  # a live stream ends by itself: the test client reads whole bodies
        tmp_path_factory.mktemp("sensor-routes"), SHIELDWALL_STREAM_MAX_SECONDS="0.2"
    )
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
    coalition.services.posture.recompute()  # alpha's level exists
    measures = _measures_values(coalition)
    case = _case_values(coalition, incident_id)
    rule = coalition.client.post(  # a rule of alpha's own set
        "/api/v1/rules", json={"text": RULE_OF_ALPHA}, headers=coalition.auth("alpha-lead")
    )
    assert rule.status_code == 201, rule.text
    respond = _respond_values(coalition)
    return measures | {
        "rule_id": rule.json()["id"],
        **respond,
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
        "scope": "member",
        "key": "alpha",
        **case,
    }


def _measures_values(world: World) -> dict[str, str]:
    """alpha's subscription ``default``, a measure alpha issued, an entry of its allow-list."""
    lead = Principal(world.people["alpha-lead"], "alpha", Role.LEAD)
    desk = world.services.measures
    desk.subscribe(lead, Subscription("alpha", "default"))
    until = datetime.now(UTC) + timedelta(days=1)
    issued = desk.issue(lead, IssueRequest("ip", "192.0.2.77", "seed", until), "seed")
    entry = desk.allow(lead, "alpha", "ip", "10.1.0.0/16", "ours")
    return {
        "name": "default",
        "fmt": "plain",
        "measure_id": issued.measure.id,
        "entry_id": entry.id,
    }


def _case_values(world: World, incident_id: int) -> dict[str, str]:
    """A case of alpha's incident, a task and an evidence file in it (issue 11)."""
    lead = world.auth("alpha-lead")
    opened = world.client.post("/api/v1/cases", json={"incident_id": incident_id}, headers=lead)
    case_id = opened.json()["id"]
    task = world.client.post(f"/api/v1/cases/{case_id}/tasks", json={"title": "t"}, headers=lead)
    evidence = world.client.post(f"/api/v1/cases/{case_id}/evidence", content=b"x", headers=lead)
    return {
        "case_id": str(case_id),
        "item_id": task.json()["id"],
        "evidence_id": evidence.json()["id"],
        "member": "bravo",
    }


def _respond_values(world: World) -> dict[str, str]:
    """A channel of alpha with a dead letter; alpha's request for help, offered on by the
    centre."""
    lead = Principal(world.people["alpha-lead"], "alpha", Role.LEAD, OrgKind.NATION, "FR")
    centre = Principal(world.people["centre-admin"], "centre", Role.ADMIN, OrgKind.CENTRE)
    hook = ChannelRequest(
        "alpha", ChannelType.WEBHOOK, "https://a.example/", TlpLevel.AMBER, secret=Secret("k" * 32)
    )
    channel = world.services.notifications.add_channel(lead, hook)
    receipt = world.services.notifications.test_channel(lead, channel.id)
    with world.services.store.transaction() as tx:
        (dead,) = tx.notifications.of_notification(receipt.notification_id)
        tx.notifications.finish(dead.id, DeliveryStatus.DEAD, datetime.now(UTC), "HTTP 500")
    wanted = HelpWanted("Help", "", (Need.FORENSICS,), Urgency.HIGH, TlpLevel.AMBER)
    asked = world.services.assistance.request(lead, wanted)
    offered = world.services.assistance.offer(centre, asked.request.id, Need.FORENSICS, "us")
    return {
        "channel_id": channel.id,
        "delivery_id": str(dead.id),
        "request_id": str(asked.request.id),
        "offer_id": str(offered.offers[0].id),
        **_playbook_values(world),
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
        ("POST", "/api/v1/intel/import"): {
            "type": "bundle", "id": "bundle--6f1e8d0e-4d7a-4b9e-9a43-0b7f3c2d1e55",
            "objects": [indicator("alpha")],
        },
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
        ("PUT", "/api/v1/incidents/{incident_id}/release"): {"fields": ["severity"]},
        ("PUT", "/api/v1/organisations/{org_id}/sectors"): {"sectors": ["energy"]},
        ("POST", "/api/v1/posture/recompute"): None,
        ("POST", "/api/v1/measures"): {
            "kind": "domain", "value": "evil.example", "reason": "c2", "key": "k",
            "valid_until": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
        ("POST", "/api/v1/measures/{measure_id}/withdraw"): {"reason": "done"},
        ("PUT", "/api/v1/measures/subscriptions/{name}"): {"formats": ["plain", "rpz"]},
        ("POST", "/api/v1/measures/allowlist"): {"kind": "ip", "value": "10.2.0.0/16"},
        ("POST", "/api/v1/cases"): {"incident_id": int(values["incident_id"])},
        ("POST", "/api/v1/cases/{case_id}/status"): {"status": "triaged"},
        ("POST", "/api/v1/cases/{case_id}/assign"): {"shift": "night"},
        ("POST", "/api/v1/cases/{case_id}/shares"): {"org_id": "bravo"},
        ("POST", "/api/v1/cases/{case_id}/tasks"): {"title": "look"},
        ("POST", "/api/v1/cases/{case_id}/tasks/{item_id}/status"): {"status": "done"},
        ("POST", "/api/v1/cases/{case_id}/observables"): {"type": "ip", "value": "192.0.2.1"},
        ("POST", "/api/v1/cases/{case_id}/comments"): {"text": "looking"},
        ("POST", "/api/v1/cases/{case_id}/evidence"): {"a": "file"},
        ("POST", "/api/v1/handover"): None,
        ("POST", "/api/v1/rules"): {"text": RULE_OF_ALPHA},
        ("POST", "/api/v1/rules/test"): {"rule_id": values["rule_id"], "events": "{}"},
        ("POST", "/api/v1/rules/{rule_id}/enable"): None,
        ("POST", "/api/v1/rules/{rule_id}/disable"): None,
        ("POST", "/api/v1/notify"): {
            "event_kind": "x", "subject": "s", "tlp": "green", "idempotency_key": "k"
        },
        ("POST", "/api/v1/notify/channels"): {
            "type": "email", "target": "soc@alpha.example", "max_tlp": "green"
        },
        ("POST", "/api/v1/notify/channels/{channel_id}/test"): None,
        ("POST", "/api/v1/notify/deliveries/{delivery_id}/redrive"): None,
        ("POST", "/api/v1/assistance"): {
            "title": "t", "needs": ["capacity"], "urgency": "low", "tlp": "green"
        },
        ("POST", "/api/v1/assistance/{request_id}/offers"): {"need": "capacity", "text": "x"},
        ("POST", "/api/v1/assistance/{request_id}/offers/{offer_id}/accept"): None,
        ("POST", "/api/v1/assistance/{request_id}/offers/{offer_id}/progress"): {
            "status": "in_progress"
        },
        ("POST", "/api/v1/assistance/{request_id}/close"): {"reason": "done"},
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


def _last(endpoint: tuple[str, str]) -> tuple[bool, bool, bool, str, str]:
    """Order of the control calls: what destroys the request values goes last."""
    method, path = endpoint
    return "suspend" in path, "/close" in path, method == "DELETE", method, path


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
        centre = route in COALITION_WIDE or route in CENTRE_CONTROLLED
        control = "centre-admin" if centre else "alpha-lead"
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

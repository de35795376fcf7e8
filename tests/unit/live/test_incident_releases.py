"""What a member releases of its incident to the other members of a campaign: read by them
through the sharing gate, by nobody else (issue 10: "only what the others released — by
default 'seen at N other members', never who")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.detect.engine import Engine
from shieldwall.model.identity import Organisation, OrgKind, Role
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.gate import Viewer
from tests.unit.api.conftest import World, _seed_person, build_world
from tests.unit.live.test_fuse_worker import fuse_all
from tests.unit.live.test_live_pipeline import detect_all, ndjson, post, sysmon

pytest_plugins = ["tests.unit.live.test_live_pipeline"]
C2 = "203.0.113.9"


@pytest.fixture
def world(tmp_path: Path, database_url: str, engine: Engine) -> Iterator[World]:
    """alpha, bravo and charlie each hit by the same C2 address: one campaign of three;
    delta, a member never hit."""
    built = build_world(tmp_path, database_url)
    for org_id, name in (("charlie", "Charlie CERT"), ("delta", "Delta CERT")):
        org = Organisation(org_id, name, OrgKind.NATION, "NL")
        accounts.add_organisation(built.services.store, OPERATOR, org)
        for role in (Role.ANALYST, Role.SENSOR):
            _seed_person(built.services, built, org_id, role, f"{org_id}-{role.value}")
    for member in ("alpha", "bravo", "charlie"):
        post(built, f"{member}-sensor", ndjson(sysmon("C:\\x\\evil.exe", 1, DestinationIp=C2)))
    detect_all(built, engine)
    fuse_all(built)
    yield built
    built.services.close()


def campaign(world: World, caller: str) -> dict[str, Any]:
    response = world.client.get("/api/v1/campaigns", headers=world.auth(caller))
    assert response.status_code == 200, response.text
    (only,) = response.json()["campaigns"]
    return dict(only)


def own_incident(world: World, caller: str) -> int:
    response = world.client.get("/api/v1/incidents", headers=world.auth(caller))
    (mine,) = response.json()["incidents"]
    return int(mine["id"])


def release(world: World, caller: str, incident: int, **body: Any) -> Any:
    return world.client.put(
        f"/api/v1/incidents/{incident}/release", json=body, headers=world.auth(caller)
    )


def test_by_default_the_others_are_a_count_never_who(world: World) -> None:
    seen = campaign(world, "bravo-analyst")
    assert [m["org_id"] for m in seen["members"]] == ["bravo"]
    assert seen["other_members"] == 2 and seen["released"] == []


def test_an_amber_release_reaches_the_campaigns_members_and_names_only_if_asked(
    world: World,
) -> None:
    alpha = own_incident(world, "alpha-analyst")
    answer = release(
        world, "alpha-analyst", alpha, tlp="amber", fields=["severity", "techniques"], note="C2"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["tlp"] == "amber" and answer.json()["fields"] == ["severity", "techniques"]
    for reader in ("bravo-analyst", "charlie-analyst"):
        (part,) = campaign(world, reader)["released"]
        assert part["org_id"] is None  # "another member": not named unless it chose to be
        assert set(part["incident"]) == {"severity", "techniques"}
        assert part["incident"]["severity"] == "high" and part["note"] == "C2"
        assert "title" not in part["incident"]
    assert campaign(world, "alpha-analyst")["released"] == []  # its own part is shown whole
    assert campaign(world, "centre-admin")["released"] == []  # the centre sees everything
    hidden = world.client.get("/api/v1/campaigns", headers=world.auth("delta-analyst"))
    assert hidden.json()["campaigns"] == []  # not part of it: nothing, not even the release

    named = release(world, "alpha-analyst", alpha, tlp="amber", fields=["title"], name_member=True)
    assert named.status_code == 200
    (part,) = campaign(world, "bravo-analyst")["released"]
    assert part["org_id"] == "alpha" and set(part["incident"]) == {"title"}  # replaced


def test_the_gate_decides_amber_strict_and_a_withdrawal_takes_it_back(world: World) -> None:
    alpha = own_incident(world, "alpha-analyst")
    assert release(world, "alpha-analyst", alpha, tlp="amber+strict", fields=["status"]).is_success
    assert len(campaign(world, "charlie-analyst")["released"]) == 1  # a recipient: in the campaign
    withdrawn = world.client.delete(
        f"/api/v1/incidents/{alpha}/release", headers=world.auth("alpha-analyst")
    )
    assert withdrawn.json() == {"incident_id": alpha, "withdrawn": True}
    assert campaign(world, "charlie-analyst")["released"] == []


def test_only_the_incidents_own_handlers_release_it_and_bad_releases_are_refused(
    world: World,
) -> None:
    alpha = own_incident(world, "alpha-analyst")
    body = {"tlp": "amber", "fields": ["title"]}
    stranger = release(world, "bravo-analyst", alpha, **body)
    absent = release(world, "bravo-analyst", 10**9, **body)
    assert stranger.status_code == absent.status_code == 404  # hidden and absent alike
    assert stranger.json()["detail"].replace(str(alpha), "N") == absent.json()["detail"].replace(
        str(10**9), "N"
    )
    assert release(world, "centre-admin", alpha, **body).status_code == 403  # not its to speak for
    assert release(world, "alpha-liaison", alpha, **body).status_code == 403
    assert release(world, "alpha-analyst", alpha, tlp="red", fields=["title"]).status_code == 422
    huge = release(world, "alpha-analyst", alpha, fields=["x" * 10_000])
    assert huge.status_code == 422 and len(huge.text) < 2_000  # not echoed back whole
    refused = release(world, "alpha-analyst", alpha, tlp="amber", fields=["assignee"])
    assert refused.status_code == 422 and "assignee" in refused.text
    assert campaign(world, "bravo-analyst")["released"] == []  # nothing half-stored


def test_every_release_read_asks_the_sharing_gate(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha = own_incident(world, "alpha-analyst")
    assert release(world, "alpha-analyst", alpha, tlp="green", fields=["severity"]).is_success
    assert len(campaign(world, "bravo-analyst")["released"]) == 1
    asked: list[str] = []

    def refuse(_viewer: Viewer, obj: ObjectDescriptor) -> bool:
        asked.append(obj.producer_org_id)
        return False

    monkeypatch.setattr(Viewer, "may_receive", refuse)
    assert campaign(world, "bravo-analyst")["released"] == [] and asked == ["alpha"]

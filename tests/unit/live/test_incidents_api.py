"""Incidents end to end on the embedded default: a sensor's batch over HTTP, the detect and
fuse workers on the bus, incidents listed, read and handled through the gate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.engine import Engine
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_fuse_worker import fuse_all
from tests.unit.live.test_live_pipeline import SSHD, detect_all, ndjson, post, sysmon

pytest_plugins = ["tests.unit.live.test_live_pipeline"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def incidents(world: World, caller: str, query: str = "") -> list[dict[str, Any]]:
    response = world.client.get(f"/api/v1/incidents{query}", headers=world.auth(caller))
    assert response.status_code == 200, response.text
    return list(response.json()["incidents"])


def act(world: World, caller: str, incident: int, what: str, body: dict[str, Any]) -> Any:
    return world.client.post(
        f"/api/v1/incidents/{incident}/{what}", json=body, headers=world.auth(caller)
    )


@pytest.fixture
def raised(world: World, engine: Engine) -> int:
    """alpha's evil binary on ws1 (twice) and bravo's SSH guessing, through both workers."""
    post(world, "alpha-sensor", ndjson(sysmon("C:\\x\\evil.exe", 1), sysmon("C:\\y\\evil.exe", 2)))
    post(world, "bravo-sensor", ndjson(SSHD))
    detect_all(world, engine)
    fuse_all(world)
    (mine,) = incidents(world, "alpha-analyst")
    return int(mine["id"])


def test_from_ingest_to_incidents_each_member_sees_its_own(world: World, raised: int) -> None:
    (mine,) = incidents(world, "alpha-liaison")
    assert (mine["org_id"], mine["severity"], mine["status"]) == ("alpha", "high", "new")
    assert mine["alert_count"] == 2
    assert [i["org_id"] for i in incidents(world, "bravo-lead")] == ["bravo"]
    assert {i["org_id"] for i in incidents(world, "centre-admin")} == {"alpha", "bravo"}
    assert [i["id"] for i in incidents(world, "centre-admin", "?member=bravo")] != [raised]
    assert incidents(world, "centre-admin", "?severity=high&status=new")[0]["id"] == raised
    assert incidents(world, "centre-admin", "?status=closed") == []
    detail = world.client.get(f"/api/v1/incidents/{raised}", headers=world.auth("alpha-lead"))
    body = detail.json()
    assert [a["rule_title"] for a in body["alerts"]] == ["Evil binary started"]
    assert body["alerts"][0]["count"] == 2
    assert [h["action"] for h in body["history"]] == ["opened", "alert"]


def test_another_members_incident_is_absent_not_forbidden(world: World, raised: int) -> None:
    for path in ("", "/assign", "/status", "/comments"):
        method = "GET" if not path else "POST"
        body = {"": None, "/assign": {"assignee": None}, "/status": {"status": "triaged"}}
        content = body.get(path, {"text": "x"})
        calls = [
            world.client.request(
                method,
                f"/api/v1/incidents/{number}{path}",
                json=content,
                headers=world.auth("bravo-lead"),
            )
            for number in (raised, raised + 1000)
        ]
        hidden, absent = calls
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["detail"].replace(str(raised), "N") == absent.json()["detail"].replace(
            str(raised + 1000), "N"
        )
        assert hidden.json().keys() == absent.json().keys()


def test_analysts_handle_incidents_and_every_change_is_in_the_history(
    world: World, raised: int
) -> None:
    analyst = world.people["alpha-analyst"]
    assert act(world, "alpha-analyst", raised, "assign", {"assignee": analyst}).status_code == 200
    assert (
        act(world, "alpha-analyst", raised, "status", {"status": "in_progress"}).status_code == 200
    )
    assert (
        act(world, "alpha-analyst", raised, "comments", {"text": "ws1 isolated"}).status_code == 200
    )
    assert act(world, "alpha-analyst", raised, "status", {"status": "closed"}).status_code == 422
    closed = act(world, "centre-admin", raised, "status", {"status": "closed", "reason": "cleaned"})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["status"], body["close_reason"], body["assignee"]) == (
        "closed",
        "cleaned",
        analyst,
    )
    history = [(h["actor"], h["action"]) for h in body["history"]][2:]
    assert history == [
        (analyst, "assign"),
        (analyst, "status"),
        (analyst, "comment"),
        (world.people["centre-admin"], "status"),
    ]
    assert act(world, "alpha-lead", raised, "status", {"status": "triaged"}).status_code == 409


def test_who_may_handle_and_who_may_be_assigned(world: World, raised: int) -> None:
    assert act(world, "alpha-liaison", raised, "comments", {"text": "hi"}).status_code == 403
    assert act(world, "alpha-sensor", raised, "comments", {"text": "hi"}).status_code == 403
    sensor = world.people["alpha-sensor"]
    for assignee in (sensor, world.people["bravo-analyst"], "nobody-at-all"):
        refused = act(world, "alpha-lead", raised, "assign", {"assignee": assignee})
        assert refused.status_code == 422 and "assignee" in refused.json()["detail"]
    centre = act(world, "alpha-lead", raised, "assign", {"assignee": world.people["centre-admin"]})
    assert centre.status_code == 200
    assert (
        world.client.get("/api/v1/incidents", headers=world.auth("alpha-sensor")).status_code == 403
    )


def test_the_same_ip_at_two_members_is_a_campaign_each_sees_its_part(
    world: World, engine: Engine
) -> None:
    for sensor in ("alpha-sensor", "bravo-sensor"):
        event = sysmon("C:\\x\\evil.exe", 1, DestinationIp="203.0.113.9")
        post(world, sensor, ndjson(event))
    detect_all(world, engine)
    fuse_all(world)

    def campaigns(caller: str) -> list[dict[str, Any]]:
        response = world.client.get("/api/v1/campaigns", headers=world.auth(caller))
        assert response.status_code == 200, response.text
        return list(response.json()["campaigns"])

    (everything,) = campaigns("centre-admin")
    assert everything["observable"] == "ip:203.0.113.9" and everything["other_members"] == 0
    assert [m["org_id"] for m in everything["members"]] == ["alpha", "bravo"]
    (mine,) = campaigns("alpha-liaison")
    assert [m["org_id"] for m in mine["members"]] == ["alpha"] and mine["other_members"] == 1
    assert "bravo" not in str(mine)
    path = f"/api/v1/campaigns/{mine['id']}"
    assert world.client.get(path, headers=world.auth("alpha-lead")).json() == mine
    assert world.client.get(path, headers=world.auth("alpha-sensor")).status_code == 403
    hidden = world.client.get(
        f"/api/v1/campaigns/{mine['id'] + 1}", headers=world.auth("alpha-lead")
    )
    assert hidden.status_code == 404

"""Notifications and requests for assistance over the HTTP API: keys never come back,
hidden answers like absent, bad input is a problem document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.api.conftest import World, build_world

KEY = "s" * 48


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path, SHIELDWALL_NOTIFY='{"worker": false}')
    yield built
    built.services.close()


def post(world: World, caller: str, path: str, body: dict[str, Any]) -> Any:
    return world.client.post(path, json=body, headers=world.auth(caller))


def get(world: World, caller: str, path: str) -> Any:
    return world.client.get(path, headers=world.auth(caller))


def test_channels_keep_their_key_and_show_only_the_origin(world: World) -> None:
    hook = {
        "type": "webhook",
        "target": "https://soc.alpha.example/hooks/T0KEN-in-path",
        "max_tlp": "amber",
        "secret": KEY,
    }
    added = post(world, "alpha-lead", "/api/v1/notify/channels", hook)
    assert added.status_code == 201, added.text
    assert KEY not in added.text and "T0KEN" not in added.text
    assert added.json()["target"] == "https://soc.alpha.example/…"
    listed = get(world, "alpha-lead", "/api/v1/notify/channels")
    assert [c["id"] for c in listed.json()["channels"]] == [added.json()["id"]]
    assert KEY not in listed.text
    assert get(world, "bravo-lead", "/api/v1/notify/channels").json()["channels"] == []
    assert post(world, "alpha-analyst", "/api/v1/notify/channels", hook).status_code == 403
    other = post(world, "bravo-lead", "/api/v1/notify/channels", {**hook, "org_id": "alpha"})
    assert other.status_code == 404
    bad = post(world, "alpha-lead", "/api/v1/notify/channels", {**hook, "secret": "short"})
    assert bad.status_code == 422 and "short" not in bad.text
    pink = post(world, "alpha-lead", "/api/v1/notify/channels", {**hook, "max_tlp": "pink"})
    assert pink.status_code == 422 and KEY not in pink.text and "T0KEN" not in pink.text
    tested = post(world, "alpha-lead", f"/api/v1/notify/channels/{added.json()['id']}/test", {})
    assert tested.status_code == 202
    hidden = post(world, "bravo-lead", f"/api/v1/notify/channels/{added.json()['id']}/test", {})
    absent = post(world, "bravo-lead", "/api/v1/notify/channels/nope/test", {})
    assert hidden.status_code == absent.status_code == 404


def test_notifications_are_sent_once_per_key_and_dead_letters_listed(world: World) -> None:
    note = {
        "event_kind": "incident.opened",
        "subject": "Alpha hit",
        "tlp": "green",
        "idempotency_key": "inc-1",
    }
    first = post(world, "alpha-analyst", "/api/v1/notify", note)
    second = post(world, "alpha-analyst", "/api/v1/notify", note)
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["notification_id"] == second.json()["notification_id"]
    assert (first.json()["created"], second.json()["created"]) == (True, False)
    assert post(world, "alpha-liaison", "/api/v1/notify", note).status_code == 403
    assert (
        post(world, "alpha-analyst", "/api/v1/notify", {**note, "tlp": "pink"}).status_code == 422
    )
    dead = get(world, "alpha-lead", "/api/v1/notify/deliveries")
    assert dead.status_code == 200 and dead.json()["deliveries"] == []
    hidden = post(world, "bravo-lead", "/api/v1/notify/deliveries/999/redrive", {})
    assert hidden.status_code == 404


def test_a_request_for_assistance_over_the_api(world: World) -> None:
    asked = post(
        world,
        "alpha-analyst",
        "/api/v1/assistance",
        {
            "title": "Wiper on OT network",
            "needs": ["forensics", "malware-analysis"],
            "urgency": "critical",
            "tlp": "amber",
        },
    )
    assert asked.status_code == 201, asked.text
    number = asked.json()["id"]
    assert get(world, "bravo-lead", "/api/v1/assistance").json()["requests"] == []
    hidden = get(world, "bravo-lead", f"/api/v1/assistance/{number}")
    absent = get(world, "bravo-lead", f"/api/v1/assistance/{number + 1000}")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace(str(number), "N") == absent.json()["detail"].replace(
        str(number + 1000), "N"
    )
    offered = post(
        world,
        "centre-admin",
        f"/api/v1/assistance/{number}/offers",
        {"need": "forensics", "text": "The centre's team"},
    )
    assert offered.status_code == 201, offered.text
    offer_id = offered.json()["offers"][0]["id"]
    accepted = post(
        world, "alpha-lead", f"/api/v1/assistance/{number}/offers/{offer_id}/accept", {}
    )
    body = accepted.json()
    assert body["status"] == "accepted" and body["seconds_to_acceptance"] is not None
    listed = get(world, "alpha-liaison", "/api/v1/assistance").json()["requests"]
    assert listed[0]["seconds_to_first_offer"] is not None
    bad = post(
        world,
        "alpha-lead",
        "/api/v1/assistance",
        {"title": "x", "needs": [], "urgency": "low", "tlp": "red"},
    )
    assert bad.status_code == 422
    closed = post(world, "alpha-lead", f"/api/v1/assistance/{number}/close", {"reason": "done"})
    assert closed.json()["status"] == "closed"

"""Protective measures over REST: a sensor pulls its member's lists with ETag and
If-None-Match, receives only what the gate lets its member see, and verifies the manifest
with the centre's published key; bad requests are 4xx problem documents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shieldwall.model.identity import Principal, Role
from shieldwall.respond import verify_manifest
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.publish import publish
from tests.unit.api.conftest import World, build_world
from tests.unit.share.intel_world import indicator

LISTS = "/api/v1/measures/lists/default"
UNTIL = (datetime.now(UTC) + timedelta(days=1)).isoformat()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def _issue(world: World, caller: str, value: str, key: str, **extra: Any) -> Any:
    body = {
        "kind": "ip",
        "value": value,
        "reason": "seen in an intrusion",
        "key": key,
        "valid_until": UNTIL,
        **extra,
    }
    return world.client.post("/api/v1/measures", json=body, headers=world.auth(caller))


def _subscribe(world: World, member: str, **body: Any) -> None:
    response = world.client.put(
        "/api/v1/measures/subscriptions/default", json=body, headers=world.auth(f"{member}-lead")
    )
    assert response.status_code == 200, response.text


def _publish(world: World, org: str, value: str, tlp: str) -> None:
    with world.services.store.transaction() as tx:
        by = Principal(world.people[f"{org}-colleague"], org, Role.ANALYST)
        obj = indicator(org, tlp=tlp, value=value)
        assert publish(tx, by, [obj], Addressing(), StoreDirectory(tx)).stored


def test_a_sensor_pulls_its_list_with_etag_and_304(world: World) -> None:
    _subscribe(world, "alpha")
    assert _issue(world, "alpha-lead", "192.0.2.10", "k1").status_code == 201
    sensor = world.auth("alpha-sensor")
    first = world.client.get(f"{LISTS}/plain", headers=sensor)
    assert first.status_code == 200 and first.text == "192.0.2.10\n"
    etag = first.headers["etag"]
    assert first.headers["x-shieldwall-list-version"] == "1"
    again = world.client.get(f"{LISTS}/plain", headers={**sensor, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert _issue(world, "alpha-lead", "192.0.2.11", "k2").status_code == 201
    moved = world.client.get(f"{LISTS}/plain", headers={**sensor, "If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["etag"] != etag
    assert moved.text.split() == ["192.0.2.10", "192.0.2.11"]
    assert moved.headers["x-shieldwall-list-version"] == "2"


def test_a_sensor_never_receives_what_its_member_may_not_see(world: World) -> None:
    _subscribe(world, "alpha")
    _subscribe(world, "bravo")
    _publish(world, "alpha", "10.0.0.1", "strict")  # alpha only
    _publish(world, "alpha", "10.0.0.2", "red")  # named people only: never a list
    _publish(world, "alpha", "10.0.0.3", "green")  # every member
    _issue(world, "alpha-lead", "192.0.2.20", "k", tlp="amber+strict")  # alpha only
    alpha = world.client.get(f"{LISTS}/plain", headers=world.auth("alpha-sensor")).text.split()
    bravo = world.client.get(f"{LISTS}/plain", headers=world.auth("bravo-sensor")).text.split()
    assert alpha == ["10.0.0.1", "10.0.0.3", "192.0.2.20"]
    assert bravo == ["10.0.0.3"]
    # bravo's sensor cannot name alpha, nor see alpha's subscription or report
    for path in (f"{LISTS}/plain?member=alpha", f"{LISTS}/report?member=alpha"):
        response = world.client.get(path, headers=world.auth("bravo-sensor"))
        assert response.status_code == 404
    absent = world.client.get(f"{LISTS}/plain?member=nobody", headers=world.auth("bravo-lead"))
    hidden = world.client.get(f"{LISTS}/plain?member=alpha", headers=world.auth("bravo-lead"))
    assert (absent.status_code, absent.json()["detail"]) == (
        hidden.status_code,
        hidden.json()["detail"],
    )


def test_the_manifest_verifies_with_the_published_key(world: World, tmp_path: Path) -> None:
    _subscribe(world, "alpha", formats=["plain", "rpz", "suricata"])
    _issue(world, "alpha-lead", "192.0.2.30", "k")
    sensor = world.auth("alpha-sensor")
    key = world.client.get("/api/v1/measures/key", headers=sensor)
    manifest = world.client.get(f"{LISTS}/manifest", headers=sensor).json()
    assert sorted(manifest["files"]) == ["measures.rpz.zone", "measures.rules", "measures.txt"]
    for fmt, name in (
        ("plain", "measures.txt"),
        ("rpz", "measures.rpz.zone"),
        ("suricata", "measures.rules"),
    ):
        (tmp_path / name).write_bytes(world.client.get(f"{LISTS}/{fmt}", headers=sensor).content)
    path = tmp_path / "manifest.json"
    path.write_bytes(world.client.get(f"{LISTS}/manifest", headers=sensor).content)
    assert verify_manifest(path, key.content)["version"] == 1
    not_subscribed = world.client.get(f"{LISTS}/stix", headers=sensor)
    assert not_subscribed.status_code == 404


def test_issue_replays_by_key_and_refuses_bad_requests_with_problems(world: World) -> None:
    first = _issue(world, "alpha-lead", "192.0.2.40", "same")
    replay = _issue(world, "alpha-lead", "192.0.2.40", "same")
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["id"] == first.json()["id"] and replay.json()["replayed"] is True
    for response in (
        _issue(world, "alpha-lead", "192.0.2.41", "same"),  # key reused: conflict
        _issue(world, "alpha-lead", "10.0.0.1/8", "b"),  # host bits set
        _issue(world, "alpha-lead", "192.0.2.42", "c", tlp="red"),
        _issue(world, "alpha-analyst", "192.0.2.43", "d"),  # analysts do not issue
        world.client.post("/api/v1/measures", content=b"{", headers=world.auth("alpha-lead")),
    ):
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == "application/problem+json"
    bad = _issue(world, "alpha-lead", 'evil.example";drop', "e", kind="domain")
    assert bad.status_code == 422 and "not letters" in bad.text


def test_allow_lists_are_reported_through_the_api(world: World) -> None:
    _subscribe(world, "alpha")
    admin = world.auth("centre-admin")
    coalition = {"kind": "ip", "value": "9.9.9.9", "note": "resolver", "coalition": True}
    assert (
        world.client.post("/api/v1/measures/allowlist", json=coalition, headers=admin).status_code
        == 201
    )
    refused = _issue(world, "alpha-lead", "9.9.9.0/24", "k")
    assert refused.status_code == 422 and "allow-list" in refused.text
    lead = world.auth("alpha-lead")
    own = {"kind": "ip", "value": "192.0.2.0/28", "note": "our office"}
    assert (
        world.client.post("/api/v1/measures/allowlist", json=own, headers=lead).status_code == 201
    )
    _issue(world, "bravo-lead", "192.0.2.5", "b")
    report = world.client.get(f"{LISTS}/report", headers=world.auth("alpha-sensor")).json()
    assert [s["value"] for s in report["stopped"]] == ["192.0.2.5"]
    assert report["stopped"][0]["allowed_by"]["note"] == "our office"
    entries = world.client.get("/api/v1/measures/allowlist", headers=lead).json()["entries"]
    assert {e["value"] for e in entries} == {"9.9.9.9", "192.0.2.0/28"}
    denied = world.client.post("/api/v1/measures/allowlist", json=coalition, headers=lead)
    assert denied.status_code == 403

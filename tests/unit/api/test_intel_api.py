"""REST intelligence: search filters and counts, sightings, scores, revocations, communities."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shieldwall.model.identity import Principal, Role
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.publish import publish
from tests.unit.api.conftest import World
from tests.unit.share.intel_world import indicator

SEARCH = "/api/v1/intel/objects"


def _recent() -> str:
    """Scores decay from ``modified``: score tests use indicators of today."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _publish(
    world: World, org: str, *objects: dict[str, Any], to: Addressing | None = None
) -> None:
    with world.services.store.transaction() as tx:
        by = Principal(world.people[f"{org}-colleague"], org, Role.ANALYST)
        result = publish(tx, by, list(objects), to or Addressing(), StoreDirectory(tx))
    assert not result.failures, result.failures


def _search(world: World, caller: str, **params: Any) -> dict[str, Any]:
    response = world.client.get(SEARCH, params=params, headers=world.auth(caller))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(body: dict[str, Any]) -> set[str]:
    return {obj["id"] for obj in body["objects"]}


def test_search_filters_by_observable_and_counts_only_visible(world: World) -> None:
    green = indicator("alpha", value="10.1.2.3")
    strict = indicator("alpha", tlp="strict", value="10.1.2.4")
    other = indicator("alpha", value="192.168.0.1")
    _publish(world, "alpha", green, strict, other)
    own = _search(world, "alpha-analyst", observable="10.0.0.0/8", count="true")
    assert _ids(own) == {green["id"], strict["id"]} and own["total"] == 2
    peer = _search(world, "bravo-analyst", observable="10.0.0.0/8", count="true")
    assert _ids(peer) == {green["id"]} and peer["total"] == 1
    assert _ids(_search(world, "bravo-analyst", marking="TLP:GREEN")) == {green["id"], other["id"]}


def test_pages_are_keyset_and_the_cursor_is_bound_to_the_filter(world: World) -> None:
    made = [indicator("alpha", value=f"10.9.0.{i}") for i in range(5)]
    _publish(world, "alpha", *made)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "type": "indicator"}
    while True:
        body = _search(world, "bravo-analyst", **params)
        seen.extend(obj["id"] for obj in body["objects"])
        if not body["more"]:
            break
        params["next"] = body["next"]
    assert seen == [obj["id"] for obj in made]
    first = _search(world, "bravo-analyst", limit=2, type="indicator")
    moved = world.client.get(
        SEARCH, params={"next": first["next"], "type": "report"}, headers=world.auth("bravo-lead")
    )
    assert moved.status_code == 422


def test_sightings_full_for_the_producer_anonymised_counts_for_others(world: World) -> None:
    target = indicator("alpha", value="10.7.7.7", confidence=50, modified=_recent())
    _publish(world, "alpha", target)
    report = world.client.post(
        "/api/v1/intel/sightings",
        json={"sighting_of_ref": target["id"], "count": 3, "last_seen": _recent()},
        headers=world.auth("bravo-analyst"),
    )
    assert report.status_code == 201, report.text
    sighting_id = report.json()["id"]
    producer = _search(world, "alpha-analyst", type="sighting")
    assert _ids(producer) == {sighting_id}
    assert producer["objects"][0]["where_sighted_refs"]  # the producer sees where
    centre = _search(world, "centre-admin", type="sighting")
    assert _ids(centre) == set()  # nobody else sees the sighting itself
    seen_by_centre = _search(world, "centre-admin", id=target["id"])["objects"][0]
    aggregate = seen_by_centre["x_shieldwall_sightings"]
    assert aggregate["sightings"] == 1 and aggregate["count"] == 3
    assert "bravo" not in str(seen_by_centre)
    alone = indicator("alpha", value="10.7.7.8", confidence=50, modified=_recent())
    _publish(world, "alpha", alone)
    scored = {o["id"]: o["x_shieldwall_score"] for o in _search(world, "centre-admin")["objects"]}
    assert scored[target["id"]] > scored[alone["id"]]


def test_min_score_keeps_indicators_reaching_it(world: World) -> None:
    strong = indicator("alpha", value="10.6.0.1", confidence=90, modified=_recent())
    weak = indicator("alpha", value="10.6.0.2", confidence=10, modified=_recent())
    _publish(world, "alpha", strong, weak)
    high = {o["id"] for o in _search(world, "bravo-analyst")["objects"]}
    assert {strong["id"], weak["id"]} <= high
    threshold = _search(world, "bravo-analyst")["objects"]
    score = {o["id"]: o["x_shieldwall_score"] for o in threshold}
    cut = (score[strong["id"]] + score[weak["id"]]) / 2
    assert _ids(_search(world, "bravo-analyst", min_score=cut)) == {strong["id"]}


def test_a_sighting_of_a_hidden_object_is_not_found(world: World) -> None:
    hidden = indicator("alpha", tlp="strict")
    _publish(world, "alpha", hidden)
    for target in (hidden["id"], "indicator--00000000-0000-4000-8000-000000000000"):
        response = world.client.post(
            "/api/v1/intel/sightings",
            json={"sighting_of_ref": target},
            headers=world.auth("bravo-analyst"),
        )
        assert response.status_code == 404


def test_revocations_tell_only_those_who_could_see_before(world: World) -> None:
    first = indicator("alpha", modified="2024-01-01T00:00:00.000Z")
    narrowed = {**first, "modified": "2024-01-02T00:00:00.000Z"}
    narrowed["object_marking_refs"] = [indicator("alpha", tlp="strict")["object_marking_refs"][0]]
    _publish(world, "alpha", first)
    _publish(world, "alpha", narrowed)
    hidden = indicator("alpha", tlp="strict", modified="2024-01-01T00:00:00.000Z")
    _publish(world, "alpha", hidden)
    _publish(
        world,
        "alpha",
        {**hidden, "modified": "2024-01-03T00:00:00.000Z", "object_marking_refs": []},
    )
    response = world.client.get("/api/v1/intel/revocations", headers=world.auth("bravo-analyst"))
    entries = response.json()["revocations"]
    assert [(e["id"], e["still_visible"]) for e in entries] == [(first["id"], False)]
    own = world.client.get("/api/v1/intel/revocations", headers=world.auth("alpha-analyst"))
    assert {e["id"] for e in own.json()["revocations"]} == {first["id"], hidden["id"]}


def test_communities_are_managed_by_the_centre_and_seen_by_members(world: World) -> None:
    created = world.client.post(
        "/api/v1/communities",
        json={"id": "french", "name": "French", "rules": [{"countries": ["FR"]}]},
        headers=world.auth("centre-admin"),
    )
    assert created.status_code == 201 and created.json()["member_ids"] == ["alpha"]
    mine = world.client.get("/api/v1/communities", headers=world.auth("alpha-analyst")).json()
    assert [c["id"] for c in mine] == ["french"]
    assert world.client.get("/api/v1/communities", headers=world.auth("bravo-analyst")).json() == []
    moved = world.client.put(
        "/api/v1/communities/french",
        json={"name": "French", "members": ["bravo"], "excluded": ["alpha"]},
        headers=world.auth("centre-admin"),
    )
    assert moved.json()["member_ids"] == ["bravo"]
    gone = world.client.get("/api/v1/communities/french", headers=world.auth("alpha-analyst"))
    assert gone.status_code == 404

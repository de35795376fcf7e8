"""POST /api/v1/intel/import and GET /api/v1/intel/export: the desk methods the console's
import and download use, over REST (stored or refused with reasons; a file that cannot be
read is a 422 naming the place with nothing stored; an export holds only what the caller may
receive)."""

from __future__ import annotations

import uuid

import orjson

from tests.unit.api.conftest import World
from tests.unit.share.intel_world import indicator


def _bundle(*objects: dict[str, object]) -> bytes:
    return orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})


def test_import_stores_and_names_every_refusal(world: World) -> None:
    good = indicator("alpha", value="203.0.113.71")
    bad = indicator("alpha", value="203.0.113.72", pattern="[ipv4-addr:value = ")
    answer = world.client.post(
        "/api/v1/intel/import?name=two.json",
        content=_bundle(good, bad),
        headers=world.auth("alpha-lead"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["stored"], body["refused"]) == (1, 1)
    failures = body["outcomes"][0]["failures"]
    assert [f["id"] for f in failures] == [bad["id"]] and failures[0]["message"]


def test_an_unreadable_file_is_a_422_naming_the_place_and_nothing_is_stored(
    world: World,
) -> None:
    answer = world.client.post(
        "/api/v1/intel/import?name=broken.json",
        content=b'{"type": "bundle", "objects": [',
        headers=world.auth("alpha-lead"),
    )
    assert answer.status_code == 422, answer.text
    assert "broken.json" in answer.text and "line 1 column" in answer.text


def test_an_export_holds_only_what_the_caller_may_receive(world: World) -> None:
    amber = indicator("alpha", tlp="amber", value="203.0.113.73")
    green = indicator("alpha", tlp="green", value="203.0.113.74")
    imported = world.client.post(
        "/api/v1/intel/import", content=_bundle(amber, green), headers=world.auth("alpha-lead")
    )
    assert imported.json()["stored"] == 2, imported.text
    for who, sees_amber in (("alpha-analyst", True), ("bravo-lead", False)):
        body = world.client.get("/api/v1/intel/export", headers=world.auth(who))
        assert body.status_code == 200, body.text
        ids = {o["id"] for o in body.json()["objects"]}
        assert green["id"] in ids
        assert (amber["id"] in ids) is sees_amber, who
    misp = world.client.get("/api/v1/intel/export?format=misp", headers=world.auth("bravo-lead"))
    assert misp.status_code == 200 and "203.0.113.73" not in misp.text

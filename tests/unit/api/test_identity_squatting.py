"""Identity squatting (issue 9, item 2): no member publishes another member's identity.

Member identity ids are derived from organisation ids, so any member can write one. On
every write path (TAXII POST, ``intel import``, a MISP event whose creator organisation is
named like a member), with or without ``created_by_ref``, an identity object carrying
another member's (or the centre's) identity id is refused; nobody reads the false name,
and the real owner still publishes its own identity afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from shieldwall import share
from shieldwall.share.intel.identity import identity_id
from tests.unit.api.conftest import World
from tests.unit.api.taxii.conftest import Taxii
from tests.unit.share.intel_world import MARK

STAMP = "2024-01-01T00:00:00.000Z"
CALLER = {"alpha": "alpha-analyst", "bravo": "bravo-lead", "centre": "centre-admin"}


def identity(owner: str, name: str, creator: str | None, modified: str = STAMP) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(owner),
        "created": STAMP,
        "modified": modified,
        "name": name,
        "identity_class": "organization",
        "object_marking_refs": [MARK["clear"]],
    }
    if creator is not None:
        obj["created_by_ref"] = identity_id(creator)
    return obj


def via_taxii(world: World, org: str, obj: dict[str, Any], _: Path) -> tuple[int, str]:
    taxii = Taxii(world)
    body = taxii.post(taxii.collection_id("Federation", CALLER[org]), [obj], CALLER[org]).json()
    messages = " ".join(f["message"] for f in body.get("failures") or [])
    return body["success_count"], messages


def via_import(world: World, org: str, obj: dict[str, Any], folder: Path) -> tuple[int, str]:
    path = folder / f"bundle-{uuid.uuid4()}.json"
    path.write_bytes(
        orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [obj]})
    )
    (outcome,) = share.import_intel(
        world.services.store, share.ImportRequest(path=path, org_id=org)
    )
    assert isinstance(outcome, share.ImportOutcome)
    return outcome.stored, " ".join(reason for _, reason in outcome.refusals)


PATHS: dict[str, Callable[[World, str, dict[str, Any], Path], tuple[int, str]]] = {
    "taxii": via_taxii,
    "import": via_import,
}


def names_read(world: World, reader: str, owner: str) -> list[str]:
    response = world.client.get(
        f"/api/v1/intel/objects/{identity_id(owner)}", headers=world.auth(CALLER[reader])
    )
    if response.status_code == 404:
        return []
    return [v["name"] for v in response.json()["versions"]]


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("victim", ["bravo", "centre"])
@pytest.mark.parametrize("creator", ["alpha", "victim", None])
def test_another_members_identity_is_refused_on_every_path(
    world: World, tmp_path: Path, path: str, victim: str, creator: str | None
) -> None:
    claimed = victim if creator == "victim" else creator
    squat = identity(victim, "Fake name", claimed)
    stored, reason = PATHS[path](world, "alpha", squat, tmp_path)
    assert stored == 0
    assert "another member" in reason
    for reader in ("alpha", "bravo", "centre"):
        assert "Fake name" not in names_read(world, reader, victim)
    own, _ = via_taxii(world, victim, identity(victim, "Real name", victim), tmp_path)
    assert own == 1
    assert names_read(world, "alpha", victim) == ["Real name"]


def test_a_member_still_publishes_its_own_identity_and_a_vendors(
    world: World, tmp_path: Path
) -> None:
    own, _ = via_taxii(world, "alpha", identity("alpha", "Alpha CERT", "alpha"), tmp_path)
    vendor = {**identity("alpha", "Vendor", "alpha"), "id": f"identity--{uuid.uuid4()}"}
    stored, _ = via_import(world, "alpha", vendor, tmp_path)
    assert (own, stored) == (1, 1)

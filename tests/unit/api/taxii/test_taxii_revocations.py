"""The per-organisation revocations collection: tombstones partners pulling later learn from."""

from __future__ import annotations

from typing import Any

import stix2

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.model.identity import Organisation, OrgKind, Role
from tests.unit.api.conftest import _seed_person
from tests.unit.api.taxii.conftest import ROOT, TAXII, Taxii
from tests.unit.share.intel_world import indicator

BRAVO = "Revocations for Bravo CSIRT"


def _narrow(taxii: Taxii, obj: dict[str, Any], month: int, tlp: str = "strict") -> None:
    """alpha publishes a new version under a narrower marking, with new content."""
    narrowed = indicator(
        "alpha",
        tlp=tlp,
        ident=obj["id"],
        value=f"192.0.2.{month}",
        modified=f"2024-{month:02d}-01T00:00:00.000Z",
        name="secret new name",
        description="secret new description",
    )
    assert taxii.post(taxii.collection_id(), [narrowed]).status_code == 202


def _published(taxii: Taxii, tlp: str = "green") -> dict[str, Any]:
    obj = indicator("alpha", tlp=tlp)
    assert taxii.post(taxii.collection_id(), [obj]).status_code == 202
    return obj


def _tombstones(taxii: Taxii, caller: str = "bravo-analyst", **params: Any) -> dict[str, Any]:
    collection = taxii.collection_id(BRAVO, caller)
    response = taxii.objects(collection, caller, **params)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_a_narrowed_object_leaves_a_tombstone_for_those_who_saw_it(taxii: Taxii) -> None:
    obj = _published(taxii)
    federation = taxii.collection_id(caller="bravo-analyst")
    seen = taxii.objects(federation, "bravo-analyst").json()["objects"]
    assert [o["id"] for o in seen] == [obj["id"]]
    assert _tombstones(taxii).get("objects") is None
    _narrow(taxii, obj, 2)
    assert taxii.objects(federation, "bravo-analyst").json().get("objects") is None
    [tombstone] = _tombstones(taxii)["objects"]
    assert tombstone["id"] == obj["id"] and tombstone["revoked"] is True
    assert tombstone["modified"] > seen[0]["modified"]
    assert tombstone["created"] == obj["created"]
    text = str(tombstone)
    for secret in ("secret new", "192.0.2.2", "object_marking_refs", "created_by_ref"):
        assert secret not in text
    assert set(tombstone) <= {
        "type",
        "spec_version",
        "id",
        "created",
        "modified",
        "revoked",
        "pattern",
        "pattern_type",
        "valid_from",
    }
    assert tombstone["pattern"] == obj["pattern"]  # the version bravo saw, not the new one
    parsed = stix2.parse(tombstone, allow_custom=False)
    assert parsed.revoked is True and parsed.id == obj["id"]


def test_those_who_never_saw_it_or_still_see_it_learn_nothing(taxii: Taxii) -> None:
    hidden = _published(taxii, tlp="strict")
    _narrow(taxii, hidden, 2, tlp="red")
    assert _tombstones(taxii).get("objects") is None
    seen = _published(taxii)
    _narrow(taxii, seen, 3, tlp="clear")  # widened: bravo may keep its copy
    assert _tombstones(taxii).get("objects") is None
    _narrow(taxii, seen, 4)
    alpha = taxii.collection_id("Revocations for Alpha CERT")
    assert taxii.objects(alpha).json().get("objects") is None  # the producer still sees it


def test_an_organisation_outside_the_former_audience_learns_nothing(taxii: Taxii) -> None:
    """TLP:AMBER reached alpha (and its clients): delta and bravo get no tombstone."""
    services = taxii.world.services
    accounts.add_organisation(
        services.store, OPERATOR, Organisation("delta", "Delta Grid", OrgKind.CIVIL, "FR")
    )
    _seed_person(services, taxii.world, "delta", Role.ANALYST, "delta-analyst")
    obj = _published(taxii, tlp="amber")  # alpha and its clients only
    _narrow(taxii, obj, 2)
    delta = taxii.collection_id("Revocations for Delta Grid", "delta-analyst")
    assert taxii.objects(delta, "delta-analyst").json().get("objects") is None
    assert _tombstones(taxii).get("objects") is None


def test_pages_manifest_and_object_by_id(taxii: Taxii) -> None:
    objs = [_published(taxii) for _ in range(3)]
    for obj in objs:
        _narrow(taxii, obj, 2)
    first = _tombstones(taxii, limit="2")
    assert first["more"] is True and len(first["objects"]) == 2
    rest = _tombstones(taxii, limit="2", next=first["next"])
    assert rest["more"] is False
    served = [o["id"] for o in first["objects"] + rest["objects"]]
    assert served == [o["id"] for o in objs]
    collection = taxii.collection_id(BRAVO, "bravo-analyst")
    later = _tombstones(
        taxii,
        added_after=taxii.objects(collection, "bravo-analyst", limit="1").headers[
            "X-TAXII-Date-Added-Last"
        ],
    )
    assert [o["id"] for o in later["objects"]] == served[1:]
    manifest = taxii.get(f"{ROOT}/collections/{collection}/manifest/", "bravo-analyst").json()
    assert [m["id"] for m in manifest["objects"]] == served
    assert all(m["version"] > "2024-02-01" for m in manifest["objects"])
    one = taxii.get(f"{ROOT}/collections/{collection}/objects/{objs[1]['id']}/", "bravo-analyst")
    assert [o["id"] for o in one.json()["objects"]] == [objs[1]["id"]]
    versions = taxii.get(
        f"{ROOT}/collections/{collection}/objects/{objs[1]['id']}/versions/", "bravo-analyst"
    ).json()["versions"]
    assert versions == [one.json()["objects"][0]["modified"]]
    stranger = indicator("alpha")["id"]
    missing = f"{ROOT}/collections/{collection}/objects/{stranger}/"
    assert taxii.get(missing, "bravo-analyst").status_code == 404
    other = taxii.get(f"{ROOT}/collections/{collection}/objects/", "bravo-analyst", next="x.y")
    assert other.status_code == 400


def test_the_collection_is_its_organisations_alone_and_read_only(taxii: Taxii) -> None:
    listed = taxii.collections("bravo-analyst")[BRAVO]
    assert (listed["can_read"], listed["can_write"]) == (True, False)
    assert BRAVO not in taxii.collections("alpha-analyst")
    collection = listed["id"]
    assert taxii.get(f"{ROOT}/collections/{collection}/", "alpha-analyst").status_code == 404
    assert taxii.objects(collection, "alpha-analyst").status_code == 404
    assert taxii.post(collection, [indicator("bravo")], "bravo-analyst").status_code == 403
    obj = _published(taxii)
    _narrow(taxii, obj, 2)
    deleted = taxii.world.client.delete(
        f"{ROOT}/collections/{collection}/objects/{obj['id']}/",
        headers={**taxii.world.auth("bravo-analyst"), "Accept": TAXII},
    )
    assert deleted.status_code == 403


def test_a_deleted_object_leaves_a_bare_tombstone(taxii: Taxii) -> None:
    """Nothing of a deleted object is left to copy: the tombstone names it and no more."""
    obj = _published(taxii)
    path = f"{ROOT}/collections/{taxii.collection_id()}/objects/{obj['id']}/"
    deleted = taxii.world.client.delete(path, headers=taxii.headers("alpha-analyst"))
    assert deleted.status_code == 200
    [tombstone] = _tombstones(taxii)["objects"]
    assert set(tombstone) == {"type", "spec_version", "id", "modified", "revoked"}
    assert tombstone["id"] == obj["id"] and tombstone["revoked"] is True

"""Get Objects and Manifest filtering: checklist items T17-T24."""

from __future__ import annotations

import uuid
from typing import Any

from tests.unit.api.taxii.conftest import ROOT, Taxii
from tests.unit.share.intel_world import indicator


def _ids(response: Any) -> list[str]:
    return [o["id"] for o in response.json().get("objects", [])]


def _sco(value: str) -> dict[str, Any]:
    return {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid4()}",
        "value": value,
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    }


def test_T17_results_are_in_date_added_order(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    posted = [indicator("alpha", value=f"10.0.0.{i}") for i in range(5)]
    for obj in reversed(posted):
        taxii.post(collection, [obj])
    manifest = taxii.get(f"{ROOT}/collections/{collection}/manifest/").json()["objects"]
    added = [record["date_added"] for record in manifest]
    assert added == sorted(added) and len(set(added)) == len(added)
    assert [r["id"] for r in manifest] == [o["id"] for o in reversed(posted)]


def test_T18_added_after_is_strict_and_ignores_created_modified(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    first, second = indicator("alpha"), indicator("alpha", modified="2030-01-01T00:00:00.000Z")
    taxii.post(collection, [first])
    taxii.post(collection, [second])
    page = taxii.objects(collection)
    first_added = taxii.objects(collection, limit=1).headers["X-TAXII-Date-Added-First"]
    assert _ids(taxii.objects(collection, added_after=first_added)) == [second["id"]]
    last = page.headers["X-TAXII-Date-Added-Last"]
    assert _ids(taxii.objects(collection, added_after=last)) == []


def test_T19_id_and_type_lists_or_and_filters_and(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    a, b, ip = indicator("alpha"), indicator("alpha"), _sco("192.0.2.1")
    taxii.post(collection, [a, b, ip])
    both = taxii.objects(collection, **{"match[id]": f"{a['id']},{ip['id']}"})
    assert set(_ids(both)) == {a["id"], ip["id"]}
    anded = taxii.objects(
        collection, **{"match[id]": f"{a['id']},{ip['id']}", "match[type]": "indicator"}
    )
    assert _ids(anded) == [a["id"]]
    types = taxii.objects(collection, **{"match[type]": "ipv4-addr,indicator"})
    assert set(_ids(types)) == {a["id"], b["id"], ip["id"]}


def test_T20_match_version_last_first_all_and_explicit(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    v1 = indicator("alpha", modified="2024-01-01T00:00:00.000Z")
    v2 = {**v1, "modified": "2024-02-01T00:00:00.000Z"}
    v3 = {**v1, "modified": "2024-03-01T00:00:00.000Z"}
    taxii.post(collection, [v1, v3, v2])

    def versions(selector: str | None) -> list[str]:
        params = {"match[version]": selector} if selector else {}
        return [o["modified"] for o in taxii.objects(collection, **params).json()["objects"]]

    assert versions(None) == [v3["modified"]]
    assert versions("last") == [v3["modified"]]
    assert versions("first") == [v1["modified"]]
    assert sorted(versions("all")) == [v1["modified"], v2["modified"], v3["modified"]]
    assert versions("2024-02-01T00:00:00.000Z") == [v2["modified"]]
    assert sorted(versions("first,last")) == [v1["modified"], v3["modified"]]


def test_T21_spec_version_filters(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, [obj])
    assert _ids(taxii.objects(collection, **{"match[spec_version]": "2.1"})) == [obj["id"]]
    assert _ids(taxii.objects(collection, **{"match[spec_version]": "2.0"})) == []
    assert _ids(taxii.objects(collection)) == [obj["id"]]


def test_T22_unknown_match_fields_are_rejected(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    response = taxii.objects(collection, **{"match[colour]": "red"})
    assert response.status_code == 400
    assert taxii.objects(collection, unrelated="x").status_code == 200


def test_T23_manifest_records_and_filters(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    a, ip = indicator("alpha"), _sco("192.0.2.7")
    taxii.post(collection, [a, ip])
    body = taxii.get(
        f"{ROOT}/collections/{collection}/manifest/", **{"match[type]": "indicator"}
    ).json()
    (record,) = body["objects"]
    assert record["id"] == a["id"]
    assert set(record) == {"id", "date_added", "version", "media_type"}
    assert record["version"].startswith("2024-01-01T00:00:00")


def test_T24_objects_without_modified_get_a_version(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    ip = _sco("198.51.100.1")
    taxii.post(collection, [ip])
    (record,) = taxii.get(f"{ROOT}/collections/{collection}/manifest/").json()["objects"]
    assert record["version"] == record["date_added"]
    again = taxii.post(collection, [ip]).json()
    assert "already present" in again["successes"][0]["message"]


def test_shieldwall_filters_observable_label_technique(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    hit = indicator("alpha", value="203.0.113.9", labels=["botnet"])
    miss = indicator("alpha", value="198.51.100.9")
    attack = {
        "type": "attack-pattern",
        "spec_version": "2.1",
        "id": f"attack-pattern--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": "PowerShell",
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
        "external_references": [{"source_name": "mitre-attack", "external_id": "T1059.001"}],
    }
    taxii.post(collection, [hit, miss, attack])
    assert _ids(taxii.objects(collection, **{"match[observable]": "203.0.113.0/24"})) == [hit["id"]]
    assert _ids(taxii.objects(collection, **{"match[label]": "botnet"})) == [hit["id"]]
    assert _ids(taxii.objects(collection, **{"match[technique]": "t1059.001"})) == [attack["id"]]
    assert _ids(taxii.objects(collection, **{"match[producer]": "bravo"})) == []

"""Add Objects and status: checklist items T33-T42."""

from __future__ import annotations

import pytest

from tests.unit.api.taxii.conftest import ROOT, TAXII, Taxii
from tests.unit.share.intel_world import indicator


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"type": "bundle", "objects": []}', b"[]", b'{"objects": 3}']
)
def test_T33_the_body_must_be_an_envelope(taxii: Taxii, body: bytes) -> None:
    response = taxii.world.client.post(
        f"{ROOT}/collections/{taxii.collection_id()}/objects/",
        content=body,
        headers=taxii.headers("alpha-analyst", **{"Content-Type": TAXII}),
    )
    assert response.status_code == 400
    assert response.json()["http_status"] == "400"


def test_T34_oversize_content_length_is_refused_before_reading(taxii: Taxii) -> None:
    limit = taxii.world.services.settings.max_body_bytes
    response = taxii.world.client.post(
        f"{ROOT}/collections/{taxii.collection_id()}/objects/",
        content=b" " * (limit + 1),
        headers=taxii.headers("alpha-analyst", **{"Content-Type": TAXII}),
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == TAXII
    assert response.json()["http_status"] == "413"


def test_T34_a_streamed_oversize_body_is_cut_with_a_taxii_error(taxii: Taxii) -> None:
    limit = taxii.world.services.settings.max_body_bytes

    def chunks() -> object:
        for _ in range(limit // 4096 + 2):
            yield b" " * 4096

    response = taxii.world.client.post(
        f"{ROOT}/collections/{taxii.collection_id()}/objects/",
        content=chunks(),
        headers=taxii.headers("alpha-analyst", **{"Content-Type": TAXII}),
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == TAXII
    assert response.json()["http_status"] == "413"


def test_T35_no_write_right_gives_403(taxii: Taxii) -> None:
    bravo_outbox = taxii.collection_id("From Bravo CSIRT")
    assert taxii.post(bravo_outbox, [indicator("alpha")]).status_code == 403
    federation = taxii.collection_id("Federation")
    assert taxii.post(federation, [indicator("alpha")], "alpha-sensor").status_code == 403


def test_T36_202_and_counts_add_up(taxii: Taxii) -> None:
    bad = indicator("alpha")
    bad["pattern"] = "[nonsense"
    response = taxii.post(taxii.collection_id(), [indicator("alpha"), bad])
    assert response.status_code == 202
    body = response.json()
    assert (
        body["total_count"]
        == 2
        == body["success_count"] + body["failure_count"] + body["pending_count"]
    )
    assert body["failure_count"] == 1


def test_T37_an_existing_version_is_not_duplicated_and_a_new_one_is_kept(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, [obj])
    again = taxii.post(collection, [obj]).json()
    assert "already present" in again["successes"][0]["message"]
    taxii.post(collection, [{**obj, "modified": "2024-06-01T00:00:00.000Z"}])
    versions = taxii.get(f"{ROOT}/collections/{collection}/objects/{obj['id']}/versions/")
    assert len(versions.json()["versions"]) == 2


def test_T38_each_object_is_validated_and_failures_name_the_reason(taxii: Taxii) -> None:
    bad_pattern = indicator("alpha")
    bad_pattern["pattern"] = "[ipv4-addr:value = "
    no_id = {"type": "indicator", "spec_version": "2.1"}
    good = indicator("alpha")
    body = taxii.post(taxii.collection_id(), [bad_pattern, no_id, good]).json()
    failures = {f["id"]: f["message"] for f in body["failures"]}
    assert "pattern" in failures[bad_pattern["id"]]
    assert failures[""]
    assert [s["id"] for s in body["successes"]] == [good["id"]]


def test_T39_only_the_own_identity_may_be_created_by_ref(taxii: Taxii) -> None:
    body = taxii.post(taxii.collection_id(), [indicator("bravo")]).json()
    assert "created_by_ref" in body["failures"][0]["message"]


def test_T40_markings_must_resolve_and_pinned_ids_must_be_canonical(taxii: Taxii) -> None:
    unknown = indicator("alpha", tlp=None)
    unknown["object_marking_refs"] = ["marking-definition--0d3a4a4e-c1f0-4e1b-9a2b-2f6b1d4c5e6f"]
    tampered = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": "TLP:GREEN",
        "definition": {"tlp": "white"},
    }
    body = taxii.post(taxii.collection_id(), [unknown, tampered]).json()
    assert body["failure_count"] == 2


def test_T41_status_is_readable_after_completion(taxii: Taxii) -> None:
    status = taxii.post(taxii.collection_id(), [indicator("alpha")]).json()
    again = taxii.get(f"{ROOT}/status/{status['id']}/").json()
    assert again["status"] == "complete" and again["id"] == status["id"]
    assert again["success_count"] == 1


def test_T42_status_is_readable_only_by_the_submitting_organisation(taxii: Taxii) -> None:
    status = taxii.post(taxii.collection_id(), [indicator("alpha")]).json()
    assert taxii.get(f"{ROOT}/status/{status['id']}/", "alpha-colleague").status_code == 200
    assert taxii.get(f"{ROOT}/status/{status['id']}/", "bravo-analyst").status_code == 404

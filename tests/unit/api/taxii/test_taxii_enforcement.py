"""Errors, robustness and need-to-know enforcement: checklist items T47-T52."""

from __future__ import annotations

import uuid

from shieldwall.share.intel.identity import identity_id
from tests.unit.api.taxii.conftest import ROOT, Taxii
from tests.unit.share.intel_world import MARK, indicator


def test_T47_error_bodies_have_a_title_and_a_string_status(taxii: Taxii) -> None:
    for response in (
        taxii.get("/taxii2/", None),
        taxii.get(f"{ROOT}/collections/{uuid.uuid4()}/"),
        taxii.objects(taxii.collection_id(), limit="0"),
    ):
        body = response.json()
        assert body["title"]
        assert body["http_status"] == str(response.status_code)
        assert "Traceback" not in response.text


def test_T48_unknown_methods_get_405_with_an_error_body(taxii: Taxii) -> None:
    response = taxii.world.client.put(f"{ROOT}/collections/", headers=taxii.headers("alpha-lead"))
    assert response.status_code == 405
    assert response.json()["http_status"] == "405"


def test_T49_page_size_is_capped_so_one_request_is_bounded(taxii: Taxii) -> None:
    from shieldwall.share.taxii_server.params import MAX_LIMIT, parse_limit

    assert parse_limit("1000000") == MAX_LIMIT


def test_T50_hidden_objects_leave_no_trace_in_more_headers_or_versions(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    green = indicator("alpha", tlp="green")
    taxii.post(collection, [green])
    taxii.post(collection, [indicator("alpha", tlp="strict")])
    for_bravo = taxii.collection_id(caller="bravo-analyst")
    page = taxii.objects(for_bravo, "bravo-analyst", limit="1")
    assert page.json()["more"] is False
    assert page.headers["X-TAXII-Date-Added-Last"] == page.headers["X-TAXII-Date-Added-First"]
    manifest = taxii.get(f"{ROOT}/collections/{for_bravo}/manifest/", "bravo-analyst").json()
    assert [r["id"] for r in manifest["objects"]] == [green["id"]]


def test_T51_references_to_hidden_objects_do_not_leak(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    secret = indicator("alpha", tlp="strict")
    public = indicator("alpha", tlp="green")
    relation = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "relationship_type": "related-to",
        "source_ref": public["id"],
        "target_ref": secret["id"],
        "created_by_ref": identity_id("alpha"),
        "object_marking_refs": [MARK["green"]],
    }
    note = {
        "type": "note",
        "spec_version": "2.1",
        "id": f"note--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "content": "see",
        "object_refs": [public["id"], secret["id"]],
        "created_by_ref": identity_id("alpha"),
        "object_marking_refs": [MARK["strict"]],
    }
    report_green = {**note, "id": f"note--{uuid.uuid4()}", "object_marking_refs": [MARK["green"]]}
    status = taxii.post(collection, [secret, public, relation, note, report_green]).json()
    assert status["failure_count"] == 1  # a green note over strict content widens: refused
    bravo = taxii.collection_id(caller="bravo-analyst")
    seen = taxii.objects(bravo, "bravo-analyst", **{"match[type]": "relationship,note,indicator"})
    assert secret["id"] not in seen.text
    assert [o["id"] for o in seen.json()["objects"]] == [public["id"]]
    mine = taxii.objects(collection, **{"match[type]": "relationship"}).json()["objects"]
    assert mine[0]["target_ref"] == secret["id"]


def test_T52_reads_of_strict_material_are_audited(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    secret = indicator("alpha", tlp="strict")
    taxii.post(collection, [secret])
    taxii.objects(collection)
    with taxii.world.services.store.transaction() as tx:
        entries = [e for e in tx.audit.entries() if e.action == "intel.read-restricted"]
    assert entries and entries[-1].org_id == "alpha"
    assert f"{secret['id']}@2024-01-01T00:00:00.000000Z" in entries[-1].detail
    assert entries[-1].principal == taxii.world.people["alpha-analyst"]

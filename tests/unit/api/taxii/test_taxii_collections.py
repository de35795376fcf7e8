"""Discovery, API root and collections as per-caller views: checklist items T11-T16."""

from __future__ import annotations

import uuid

from tests.unit.api.taxii.conftest import ROOT, Taxii


def test_T11_discovery_lists_the_root_for_members(taxii: Taxii) -> None:
    body = taxii.get("/taxii2/").json()
    assert body["title"] == "Shieldwall"
    assert body["api_roots"] == [f"{ROOT}/"]


def test_T12_api_root_has_title_versions_and_max_content_length(taxii: Taxii) -> None:
    body = taxii.get(f"{ROOT}/").json()
    assert body["title"]
    assert "application/taxii+json;version=2.1" in body["versions"]
    assert body["max_content_length"] == taxii.world.services.settings.max_body_bytes


def test_T13_unknown_api_root_is_404(taxii: Taxii) -> None:
    response = taxii.get("/taxii2/other/")
    assert response.status_code == 404
    assert taxii.get("/taxii2/other/collections/").status_code == 404


def test_T14_collections_list_only_what_the_caller_can_use(taxii: Taxii) -> None:
    alpha = taxii.collections("alpha-analyst")
    assert "To Bravo CSIRT" in alpha  # writable (addressing bravo), not readable
    assert alpha["To Bravo CSIRT"]["can_read"] is False
    assert alpha["To Alpha CERT"]["can_read"] is True
    assert taxii.get(f"{ROOT}/collections/", "alpha-sensor").status_code == 403  # no intel


def test_T14_no_usable_collections_omits_the_property(taxii: Taxii) -> None:
    from shieldwall.access import accounts
    from shieldwall.access.accounts import OPERATOR
    from shieldwall.model.identity import OrgStatus

    taxii.collections()
    accounts.set_org_status(taxii.world.services.store, OPERATOR, "alpha", OrgStatus.SUSPENDED)
    response = taxii.get(f"{ROOT}/collections/")
    assert response.status_code == 401  # a suspended member is refused at authentication


def test_T15_ids_are_uuid4_and_rights_are_computed_for_the_caller(taxii: Taxii) -> None:
    for caller in ("alpha-lead", "bravo-analyst"):
        for collection in taxii.collections(caller).values():
            assert uuid.UUID(collection["id"]).version == 4
            assert collection["title"]
    alpha_outbox_for_alpha = taxii.collections("alpha-lead")["From Alpha CERT"]
    alpha_outbox_for_bravo = taxii.collections("bravo-lead")["From Alpha CERT"]
    assert alpha_outbox_for_alpha["can_write"] is True
    assert alpha_outbox_for_bravo["can_write"] is False
    assert alpha_outbox_for_bravo["can_read"] is True


def test_T16_unknown_or_hidden_collection_is_404(taxii: Taxii) -> None:
    assert taxii.get(f"{ROOT}/collections/{uuid.uuid4()}/").status_code == 404
    inbox = taxii.collection_id("To Bravo CSIRT", "bravo-analyst")
    own = taxii.collection_id("To Alpha CERT")
    for collection in (inbox, own, str(uuid.uuid4())):  # a sensor: 403 alike, no oracle
        assert taxii.get(f"{ROOT}/collections/{collection}/", "alpha-sensor").status_code == 403

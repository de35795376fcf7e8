"""Pagination: checklist items T25-T32."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.share.taxii_server.cursor import CursorCodec, load_or_create_key
from shieldwall.share.taxii_server.params import MAX_LIMIT
from tests.unit.api.taxii.conftest import ROOT, Taxii
from tests.unit.share.intel_world import indicator


def _fill(taxii: Taxii, count: int, tlp: str = "green", org: str = "alpha") -> list[str]:
    collection = taxii.collection_id()
    objects = [indicator(org, value=f"10.1.{i // 250}.{i % 250}", tlp=tlp) for i in range(count)]
    taxii.post(collection, objects, f"{org}-analyst")
    return [o["id"] for o in objects]


def _all_pages(taxii: Taxii, collection: str, caller: str, **params: Any) -> list[list[str]]:
    pages, token = [], None
    while True:
        extra = {**params, **({"next": token} if token else {})}
        body = taxii.objects(collection, caller, **extra).json()
        pages.append([o["id"] for o in body.get("objects", [])])
        if not body["more"]:
            assert "next" not in body
            return pages
        token = body["next"]


@pytest.mark.parametrize("limit", ["0", "-1", "x", "1.5"])
def test_T25_limit_must_be_a_positive_integer(taxii: Taxii, limit: str) -> None:
    assert taxii.objects(taxii.collection_id(), limit=limit).status_code == 400


def test_T25_limit_is_capped(taxii: Taxii) -> None:
    from shieldwall.share.taxii_server.params import parse_limit

    assert parse_limit(str(MAX_LIMIT * 10)) == MAX_LIMIT


def test_T26_more_is_exact_after_acl_filtering(taxii: Taxii) -> None:
    visible = _fill(taxii, 3)
    _fill(taxii, 4, tlp="strict")  # alpha's own strict objects: bravo may not see them
    collection = taxii.collection_id("Federation", "bravo-analyst")
    pages = _all_pages(taxii, collection, "bravo-analyst", limit="3")
    assert pages == [visible]


def test_T27_next_only_works_with_the_same_filters(taxii: Taxii) -> None:
    _fill(taxii, 5)
    collection = taxii.collection_id()
    token = taxii.objects(collection, limit="2").json()["next"]
    assert taxii.objects(collection, limit="2", next=token).status_code == 200
    assert taxii.objects(collection, limit="3", next=token).status_code == 200
    changed = taxii.objects(collection, next=token, **{"match[type]": "indicator"})
    assert changed.status_code == 400
    assert taxii.objects(collection, next=token + "x").status_code == 400
    manifest = taxii.get(f"{ROOT}/collections/{collection}/manifest/", next=token)
    assert manifest.status_code == 400


def test_T28_next_is_bound_to_the_principal(taxii: Taxii) -> None:
    _fill(taxii, 5)
    collection = taxii.collection_id()
    token = taxii.objects(collection, limit="2").json()["next"]
    assert taxii.objects(collection, "alpha-colleague", next=token).status_code == 400


def test_T29_next_survives_a_restart_and_expires_after_an_hour(tmp_path: Any) -> None:
    key = load_or_create_key(tmp_path)
    assert load_or_create_key(tmp_path) == key
    now = [1_000_000.0]
    issued = CursorCodec(key, lambda: now[0]).issue("p", "f", 42)
    restarted = CursorCodec(load_or_create_key(tmp_path), lambda: now[0] + 600)
    assert restarted.resume(issued, "p", "f") == 42
    from shieldwall.model.errors import InputError

    expired = CursorCodec(key, lambda: now[0] + 3601)
    with pytest.raises(InputError, match="expired"):
        expired.resume(issued, "p", "f")


def test_T30_date_headers_match_the_page(taxii: Taxii) -> None:
    _fill(taxii, 5)
    collection = taxii.collection_id()
    page = taxii.objects(collection, limit="2")
    manifest = taxii.get(f"{ROOT}/collections/{collection}/manifest/", limit="2").json()
    assert page.headers["X-TAXII-Date-Added-First"] == manifest["objects"][0]["date_added"]
    assert page.headers["X-TAXII-Date-Added-Last"] == manifest["objects"][1]["date_added"]
    empty = taxii.objects(
        collection,
        added_after=page.headers["X-TAXII-Date-Added-Last"],
        **{"match[type]": "malware"},
    )
    assert "X-TAXII-Date-Added-First" not in empty.headers


def test_T31_pages_resume_by_keyset_so_depth_costs_nothing(taxii: Taxii) -> None:
    ids = _fill(taxii, 30)
    collection = taxii.collection_id()
    pages = _all_pages(taxii, collection, "alpha-analyst", limit="7")
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    assert [i for p in pages for i in p] == ids


def test_T32_added_after_paging_neither_loses_nor_duplicates(taxii: Taxii) -> None:
    ids = _fill(taxii, 25)  # one POST: one transaction, one clock reading
    collection = taxii.collection_id()
    seen: list[str] = []
    after = None
    while True:
        params = {"limit": "4", **({"added_after": after} if after else {})}
        page = taxii.objects(collection, **params)
        objects = page.json().get("objects", [])
        if not objects:
            break
        seen.extend(o["id"] for o in objects)
        after = page.headers["X-TAXII-Date-Added-Last"]
    assert seen == ids

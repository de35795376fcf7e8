"""Get an Object, Delete, Versions: checklist items T43-T46."""

from __future__ import annotations

from tests.unit.api.taxii.conftest import ROOT, Taxii
from tests.unit.share.intel_world import indicator


def _versions(obj: dict[str, object], *months: int) -> list[dict[str, object]]:
    return [{**obj, "modified": f"2024-{m:02d}-01T00:00:00.000Z"} for m in months]


def test_T43_get_an_object_supports_filters_and_unknown_ids_are_404(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, _versions(obj, 1, 2, 3))
    path = f"{ROOT}/collections/{collection}/objects/{obj['id']}/"
    assert [o["modified"] for o in taxii.get(path).json()["objects"]] == [
        "2024-03-01T00:00:00.000Z"
    ]
    every = taxii.get(path, limit="2", **{"match[version]": "all"}).json()
    assert len(every["objects"]) == 2 and every["more"] is True
    rest = taxii.get(path, limit="2", next=every["next"], **{"match[version]": "all"}).json()
    assert len(rest["objects"]) == 1 and rest["more"] is False
    assert taxii.get(path, **{"match[spec_version]": "2.1"}).status_code == 200
    missing = (
        f"{ROOT}/collections/{collection}/objects/indicator--00000000-0000-4000-8000-000000000000/"
    )
    assert taxii.get(missing).status_code == 404
    hidden = indicator("bravo", tlp="strict")
    taxii.post(taxii.collection_id(caller="bravo-analyst"), [hidden], "bravo-analyst")
    assert taxii.get(f"{ROOT}/collections/{collection}/objects/{hidden['id']}/").status_code == 404


def test_T44_versions_are_sorted_and_paged(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, _versions(obj, 3, 1, 2))
    path = f"{ROOT}/collections/{collection}/objects/{obj['id']}/versions/"
    first = taxii.get(path, limit="2").json()
    assert first["more"] is True and len(first["versions"]) == 2
    second = taxii.get(path, limit="2", next=first["next"]).json()
    assert second["more"] is False
    assert first["versions"] + second["versions"] == [
        "2024-03-01T00:00:00.000000Z",
        "2024-01-01T00:00:00.000000Z",
        "2024-02-01T00:00:00.000000Z",
    ]  # date_added order, the order they arrived in


def test_T45_delete_honours_match_version_and_later_gets_are_404(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, _versions(obj, 1, 2))
    path = f"{ROOT}/collections/{collection}/objects/{obj['id']}/"
    deleted = taxii.world.client.delete(
        path, params={"match[version]": "first"}, headers=taxii.headers("alpha-analyst")
    )
    assert deleted.status_code == 200
    remaining = taxii.get(f"{path}versions/").json()["versions"]
    assert remaining == ["2024-02-01T00:00:00.000000Z"]
    taxii.world.client.delete(path, headers=taxii.headers("alpha-analyst"))
    assert taxii.get(path).status_code == 404


def test_T46_delete_needs_read_write_and_ownership(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    obj = indicator("alpha")
    taxii.post(collection, [obj])
    path = f"{ROOT}/collections/{collection}/objects/{obj['id']}/"
    assert (
        taxii.world.client.delete(path, headers=taxii.headers("bravo-analyst")).status_code == 404
    )
    assert taxii.world.client.delete(path, headers=taxii.headers("alpha-sensor")).status_code == 403
    assert taxii.get(path, "bravo-analyst").status_code == 200

"""Issue 11: a member pulls its protective measures through its own TAXII collection.

The OASIS client (taxii2-client) talks to the server through a ``requests`` adapter that
hands each request to the application in process (no socket): member A finds
``Protective measures for <A>``, reads its measures as STIX 2.1 indicators and pages them;
member B cannot tell A's collection exists (the same status and body as an id nobody
has); a withdrawn measure is gone from the next read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from taxii2client.common import _HTTPConnection
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.measures import Subscription
from shieldwall.respond import IssueRequest
from tests.unit.api.taxii.conftest import ROOT, Taxii

LEAD = Principal("lead", "centre", Role.LEAD, OrgKind.CENTRE)
ADMIN = Principal("admin", "centre", Role.ADMIN, OrgKind.CENTRE)
BASE = "http://testserver"


class InProcess(BaseAdapter):
    """``requests`` to the TestClient: the real client's requests, the real application."""

    def __init__(self, taxii: Taxii) -> None:
        super().__init__()
        self.client = taxii.world.client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        del kwargs
        answer = self.client.request(
            str(request.method),
            str(request.url),
            headers=dict(request.headers),
            content=request.body,  # type: ignore[arg-type]
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        return None


def connection(taxii: Taxii, caller: str) -> _HTTPConnection:
    conn = _HTTPConnection(user=caller, password=taxii.world.tokens[caller], version="2.1")
    conn.session.mount(BASE, InProcess(taxii))
    return conn


def measures_collection(taxii: Taxii, caller: str, org_name: str) -> Collection:
    server = Server(f"{BASE}/taxii2/", conn=connection(taxii, caller))
    (listed,) = server.api_roots  # the client opens roots with its own connection: reopen
    root = ApiRoot(listed.url, conn=connection(taxii, caller))
    by_title = {c.title: c for c in root.collections}
    found = by_title[f"Protective measures for {org_name}"]
    assert found.can_read and not found.can_write
    return Collection(found.url, conn=connection(taxii, caller))


def issue(taxii: Taxii, value: str, key: str, **extra: Any) -> str:
    until = datetime.now(UTC) + timedelta(days=1)
    request = IssueRequest("ip", value, "test", until, **extra)
    return taxii.world.services.measures.issue(LEAD, request, key).measure.id


def values(objects: list[Mapping[str, Any]]) -> set[str]:
    return {str(o["pattern"]).split("'")[1] for o in objects}


@pytest.fixture
def subscribed(taxii: Taxii) -> Taxii:
    desk = taxii.world.services.measures
    for org in ("alpha", "bravo"):
        desk.subscribe(ADMIN, Subscription(org, "default"))
    return taxii


def test_a_member_reads_its_measures_and_pages_them(subscribed: Taxii) -> None:
    ids = [issue(subscribed, f"192.0.2.{n}", f"k{n}") for n in range(7)]
    issue(subscribed, "198.51.100.9", "only-bravo", tlp="amber", members=frozenset({"bravo"}))
    alpha = measures_collection(subscribed, "alpha-analyst", "Alpha CERT")
    every = alpha.get_objects()["objects"]
    assert values(every) == {f"192.0.2.{n}" for n in range(len(ids))}
    assert {o["type"] for o in every} == {"indicator"} and len(every) == len(ids)
    paged = []
    for envelope in as_pages(alpha.get_objects, per_request=3):
        paged.extend(envelope.get("objects", []))
    assert [o["id"] for o in paged] == [o["id"] for o in every]
    manifest = alpha.get_manifest()["objects"]
    assert [m["id"] for m in manifest] == [o["id"] for o in every]
    one = alpha.get_object(every[2]["id"])["objects"]
    assert one == [every[2]]
    later = alpha.get_objects(added_after="2999-01-01T00:00:00.000Z")
    assert "objects" not in later
    bravo = measures_collection(subscribed, "bravo-analyst", "Bravo CSIRT")
    assert "198.51.100.9" in values(bravo.get_objects()["objects"])


def test_another_member_cannot_tell_the_collection_exists(subscribed: Taxii) -> None:
    issue(subscribed, "192.0.2.1", "k1")
    alpha = measures_collection(subscribed, "alpha-analyst", "Alpha CERT")
    mine = alpha.url.rstrip("/").rsplit("/", 1)[1]
    absent = "8c5c3b3a-1d4e-4f7a-9b0c-2d3e4f5a6b7c"
    assert "Protective measures for Alpha CERT" not in subscribed.collections("bravo-analyst")
    for suffix in ("", "objects/", "manifest/"):
        hidden = subscribed.get(f"{ROOT}/collections/{mine}/{suffix}", "bravo-analyst")
        missing = subscribed.get(f"{ROOT}/collections/{absent}/{suffix}", "bravo-analyst")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content.replace(mine.encode(), b"X") == missing.content.replace(
            absent.encode(), b"X"
        )
    stranger = Collection(alpha.url, conn=connection(subscribed, "bravo-analyst"))
    with pytest.raises(requests.HTTPError) as refused:
        stranger.get_objects()
    assert refused.value.response is not None and refused.value.response.status_code == 404
    centre = Collection(alpha.url, conn=connection(subscribed, "centre-admin"))
    assert values(centre.get_objects()["objects"]) == {"192.0.2.1"}


def test_a_withdrawn_measure_is_gone_from_the_next_read(subscribed: Taxii) -> None:
    kept = issue(subscribed, "192.0.2.1", "k1")
    gone = issue(subscribed, "192.0.2.2", "k2")
    alpha = measures_collection(subscribed, "alpha-analyst", "Alpha CERT")
    assert values(alpha.get_objects()["objects"]) == {"192.0.2.1", "192.0.2.2"}
    subscribed.world.services.measures.withdraw(LEAD, gone, "false positive")
    assert values(alpha.get_objects()["objects"]) == {"192.0.2.1"}
    assert kept


def test_a_member_without_subscription_has_no_measures_collection(taxii: Taxii) -> None:
    titles = taxii.collections("alpha-analyst")
    assert not any(title.startswith("Protective measures") for title in titles)
    for title in ("Federation", "To Alpha CERT"):
        assert title in titles

"""The Intelligence page's import and export: an upload is published through the desk as the
person signed in (CSRF-checked, refused whole when unreadable, every refusal listed); a
download holds only what that person may receive, through the export channel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.model.identity import Person, Role
from tests.unit.share.intel_world import indicator
from tests.unit.web.world import PASSWORD, SECRET, Console, build_console, sign_in

FIXTURES = Path(__file__).parents[2] / "fixtures" / "misp"
LIAISON = "alpha-liaison@web.example"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The console's world (uploads change it), with a liaison of alpha."""
    console = build_console(tmp_path_factory.mktemp("intel-files"))
    person = Person("", "alpha", "alpha-liaison", LIAISON, Role.LIAISON)
    console.people[LIAISON] = accounts.add_person(
        console.services.store, OPERATOR, person, PASSWORD
    ).id
    yield console
    console.services.close()


def _client(console: Console, email: str) -> TestClient:
    client = console.client()
    sign_in(client, email)
    return client


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _upload(
    client: TestClient, name: str, data: bytes, csrf: str | None = None, **fields: str
) -> Any:
    token = _csrf(client.get("/console/intel/import").text) if csrf is None else csrf
    return client.post(
        "/console/intel/import",
        data={"csrf": token, **fields},
        files={"file": (name, data, "application/json")},
    )


def _bundle(*objects: dict[str, Any]) -> bytes:
    return orjson.dumps(
        {
            "type": "bundle",
            "id": "bundle--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12,
            "objects": list(objects),
        }
    )


def _ids_in(body: bytes) -> set[str]:
    return {str(obj["id"]) for obj in orjson.loads(body)["objects"]}


def _stored(console: Console, stix_id: str) -> bool:
    with console.services.store.reading() as tx:
        return bool(tx.intel.versions_of({stix_id: stix_id}).get(stix_id))


def test_the_import_form_renders_and_the_page_links_it(world: Console) -> None:
    client = _client(world, "alpha-lead@web.example")
    listing = client.get("/console/intel")
    assert 'id="import-link"' in listing.text and 'id="export-stix"' in listing.text
    form = client.get("/console/intel/import")
    assert form.status_code == 200, form.text
    assert 'enctype="multipart/form-data"' in form.text and 'name="csrf"' in form.text
    assert "server-timing" in form.headers


def test_an_upload_without_the_csrf_token_is_refused_and_nothing_is_stored(world: Console) -> None:
    client = _client(world, "alpha-lead@web.example")
    obj = indicator("alpha", value="203.0.113.201")
    for token in ("", "0" * 64):
        refused = _upload(client, "bundle.json", _bundle(obj), csrf=token)
        assert refused.status_code == 403, refused.text
        assert "CSRF" in refused.text
    assert not _stored(world, obj["id"])


def test_a_bundle_is_stored_and_every_refused_object_named_with_its_reason(
    world: Console,
) -> None:
    client = _client(world, "alpha-lead@web.example")
    good = indicator("alpha", value="203.0.113.202", name="good one")
    bad = indicator("alpha", value="203.0.113.203", pattern="[ipv4-addr:value = ")
    answer = _upload(client, "two.json", _bundle(good, bad))
    assert answer.status_code == 200, answer.text
    assert 'id="import-stored">1<' in answer.text and 'id="import-refused">1<' in answer.text
    refusals = answer.text.split('class="data refusals"', 1)[1]
    assert bad["id"] in refusals and good["id"] not in refusals
    assert "pattern" in refusals.split(bad["id"], 1)[1].split("</tr>", 1)[0]
    assert _stored(world, good["id"]) and not _stored(world, bad["id"])
    found = client.get("/console/intel?kind=all&q=203.0.113.202")
    assert "good one" in found.text


def test_a_misp_event_is_imported(world: Console) -> None:
    client = _client(world, "alpha-lead@web.example")
    data = (FIXTURES / "event_phishing.json").read_bytes()
    answer = _upload(client, "event_phishing.json", data)
    assert answer.status_code == 200, answer.text
    stored = int(answer.text.split('id="import-stored">', 1)[1].split("<", 1)[0])
    assert stored > 0
    assert "<script>alert(1)</script>" not in answer.text  # the event's text is escaped


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"type": "bundle", "objects": [', "line 1 column"),
        (b"[1, 2, 3]", "neither a STIX bundle nor a MISP event"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b"\xff\xfe not json", "not valid JSON"),
        (b'{"type": "bundle", "objects": [' + b"9" * 5000 + b"]}", "digits"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_file_and_the_place(
    world: Console, data: bytes, says: str
) -> None:
    client = _client(world, "alpha-lead@web.example")
    answer = _upload(client, "C:\\Users\\x\\hostile<b>.json", data)
    assert answer.status_code == 422, answer.text
    assert "hostile&lt;b&gt;.json" in answer.text and says in answer.text
    assert "<b>" not in answer.text.split("<main", 1)[1]


def test_a_bundle_after_a_bad_event_in_a_list_stores_nothing(world: Console) -> None:
    client = _client(world, "alpha-lead@web.example")
    event = orjson.loads((FIXTURES / "event_phishing.json").read_bytes())["Event"]
    hostile = {**event, "uuid": "not-a-uuid", "Attribute": "nonsense"}
    changed = {**event, "uuid": "5e3c2b1a-0000-4000-8000-00000000abcd", "info": "second"}
    answer = _upload(client, "events.json", orjson.dumps([{"Event": changed}, {"Event": hostile}]))
    assert answer.status_code == 422, answer.text
    assert not _stored(world, "report--5e3c2b1a-0000-4000-8000-00000000abcd")


def test_a_file_over_the_limit_is_refused_with_413(world: Console) -> None:
    client = _client(world, "alpha-lead@web.example")
    answer = _upload(client, "big.json", b" " * 70_000 + b"{}")
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"].startswith("text/html")  # a page, not JSON
    assert "Too large" in answer.text and "65536" in answer.text
    assert client.get("/console/intel").status_code == 200  # still signed in, nothing broken


def test_unknown_addressing_is_refused(world: Console) -> None:
    client = _client(world, "alpha-lead@web.example")
    obj = indicator("alpha", value="203.0.113.204")
    answer = _upload(client, "to.json", _bundle(obj), to="nobody-such")
    assert answer.status_code == 422 and "nobody-such" in answer.text
    assert not _stored(world, obj["id"])


def test_an_export_never_holds_what_the_person_may_not_receive(world: Console) -> None:
    alpha = _client(world, "alpha-lead@web.example")
    marked = {
        level: indicator("alpha", tlp=level, value=f"198.18.0.{n}", name=f"{SECRET} {level}")
        for n, level in enumerate(("clear", "green", "amber", "strict", "red"), start=1)
    }
    answer = _upload(alpha, "marked.json", _bundle(*marked.values()))
    assert 'id="import-stored">5<' in answer.text, answer.text
    ids = {level: obj["id"] for level, obj in marked.items()}
    own = _ids_in(alpha.get("/console/intel/export?format=stix&kind=all").content)
    assert {ids["clear"], ids["green"], ids["amber"], ids["strict"]} <= own
    assert ids["red"] not in own  # the export channel stops at TLP:AMBER+STRICT
    for email in ("bravo@web.example", "centre@web.example"):
        other = _client(world, email)
        body = other.get("/console/intel/export?format=stix&kind=all").content
        seen = _ids_in(body)
        assert {ids["clear"], ids["green"]} <= seen, email
        assert not {ids["amber"], ids["strict"], ids["red"]} & seen, email
        assert world.indicator_id not in seen  # alpha's AMBER from the world
        misp = other.get("/console/intel/export?format=misp&kind=all&q=198.18.0.3")
        assert misp.status_code == 200 and "198.18.0.3" not in misp.text
        assert SECRET + " amber" not in misp.text


def test_the_export_keeps_the_page_filters(world: Console) -> None:
    alpha = _client(world, "alpha-lead@web.example")
    green = _ids_in(alpha.get("/console/intel/export?kind=all&tlp=green").content)
    everything = _ids_in(alpha.get("/console/intel/export?kind=all").content)
    assert green and green < everything
    download = alpha.get("/console/intel/export?format=stix&kind=indicator&q=198.18.0.2")
    assert download.headers["content-disposition"].startswith("attachment")
    indicators = [i for i in _ids_in(download.content) if i.startswith("indicator--")]
    assert len(indicators) == 1 and download.headers["x-shieldwall-objects"] == "1"


def test_a_signed_out_browser_is_sent_to_sign_in(world: Console) -> None:
    client = world.client()
    for path in ("/console/intel/import", "/console/intel/export"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and "/console/signin" in answer.headers["location"]
    posted = client.post("/console/intel/import", files={"file": ("a.json", b"{}")})
    assert "/console/signin" in str(posted.url)

"""Every form the console shows is one the person may submit: for each role and page, each
form shown is sent as a browser would send it, and none ends in 403 "not allowed".

The liaison (who reads cases and incidents but may not work on them) is the role the sweep
was written for: before, it was shown forms that the desk then refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import orjson
import pytest
from fastapi.testclient import TestClient

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.model.identity import Person, Role
from tests.unit.share.intel_world import indicator
from tests.unit.web.helping import grow, start_run
from tests.unit.web.world import PASSWORD, Console, build_console, sign_in

LIAISON = "alpha-liaison@web.example"
ROLES = {  # least allowed first, so the sweep sees each page before others change it
    Role.LIAISON: LIAISON,
    Role.ANALYST: "alpha@web.example",
    Role.LEAD: "alpha-lead@web.example",
    Role.ADMIN: "centre@web.example",
}


@dataclass
class Form:
    """One form of a page, with the values a browser would send unchanged."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            self._input(a)
        elif tag == "textarea" and a.get("name"):
            self.forms[-1].fields[a["name"]] = "sweep"
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            fields = self.forms[-1].fields
            if self._select not in fields or "selected" in a:
                fields[self._select] = a.get("value", "")

    def _input(self, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        if kind == "file":
            self.forms[-1].files.append(a["name"])
        elif kind != "checkbox":
            self.forms[-1].fields[a["name"]] = a.get("value") or "sweep"

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    """The POST forms of a page, but signing out (every page has it)."""
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f.method == "post" and f.action != "/console/signout"]


@dataclass
class Seeded:
    console: Console
    pages: list[str]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A case on alpha's incident, a request for help from alpha and one from bravo, a run
    waiting for alpha's approval, and a liaison of alpha."""
    console = build_console(tmp_path_factory.mktemp("form-roles"))
    grow(console)
    start_run(console)
    person = Person("", "alpha", "alpha-liaison", LIAISON, Role.LIAISON)
    console.people[LIAISON] = accounts.add_person(
        console.services.store, OPERATOR, person, PASSWORD
    ).id
    alpha, bravo = _client(console, "alpha@web.example"), _client(console, "bravo@web.example")
    incident = console.incidents["alpha"]
    page = alpha.get(f"/console/incidents/{incident}").text
    opened = alpha.post(f"/console/incidents/{incident}/case", data={"csrf": _csrf(page)})
    case_path = opened.url.path
    asks = [_ask(client, tlp) for client, tlp in ((alpha, "amber"), (bravo, "green"))]
    pages = [
        "/console/intel",
        "/console/intel/import",
        f"/console/incidents/{incident}",
        "/console/cases",
        case_path,
        "/console/handover",
        "/console/assistance",
        *asks,
        "/console/approvals",
        "/console/members",
        "/console/measures",
    ]
    yield Seeded(console, pages)
    console.services.close()


def _client(console: Console, email: str) -> TestClient:
    client = console.client()
    sign_in(client, email)
    return client


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _ask(client: TestClient, tlp: str) -> str:
    csrf = _csrf(client.get("/console/assistance").text)
    form = {"csrf": csrf, "title": "help", "urgency": "high", "tlp": tlp, "need-forensics": "yes"}
    answer = client.post("/console/assistance", data=form)
    assert answer.status_code == 200, answer.text
    return answer.url.path


def _send(client: TestClient, form: Form) -> int:
    if form.files:
        bundle = {"type": "bundle", "id": "bundle--" + "2" * 8 + "-2222-4222-8222-" + "2" * 12}
        data = orjson.dumps({**bundle, "objects": [indicator("alpha", value="203.0.113.250")]})
        files = dict.fromkeys(form.files, ("sweep.json", data, "application/json"))
        return client.post(form.action, data=form.fields, files=files).status_code
    return client.post(form.action, data=form.fields).status_code


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_shown_is_one_the_role_may_submit(seeded: Seeded, role: Role) -> None:
    client = _client(seeded.console, ROLES[role])
    shown = 0
    for path in seeded.pages:
        page = client.get(path)
        if page.status_code in (403, 404):
            assert not forms_of(page.text), path  # a refused page shows no form
            continue
        assert page.status_code == 200, (path, page.text)
        for form in forms_of(page.text):
            shown += 1
            status = _send(client, form)
            assert status != 403, (role, path, form.action)
            assert status < 500, (role, path, form.action)
    assert shown > 0, role


def test_the_liaison_is_not_shown_the_forms_its_role_is_refused(seeded: Seeded) -> None:
    liaison = _client(seeded.console, LIAISON)
    incident = seeded.console.incidents["alpha"]
    page = liaison.get(f"/console/incidents/{incident}").text
    assert not [f for f in forms_of(page) if f.action.startswith("/console/incidents/")]
    refused = liaison.post(
        f"/console/incidents/{incident}/comment", data={"csrf": _csrf(page), "text": "x"}
    )
    assert refused.status_code == 403  # what the hidden form would have met
    assert 'id="import-link"' in liaison.get("/console/intel").text  # liaisons may publish
    lead = _client(seeded.console, "alpha-lead@web.example")
    shown = {f.action for f in forms_of(lead.get(f"/console/incidents/{incident}").text)}
    assert f"/console/incidents/{incident}/comment" in shown

"""The playbooks' Actions port as the runtime wires it: http-api to a configured endpoint
over the guarded transport, refused for private addresses unless allowed; actions not
wired yet fail (so a run takes its failure path); enrich names ATT&CK techniques."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from shieldwall.config.playbooks import PlaybookEndpoint
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.respond import ActionFailedError, HttpRequest
from shieldwall.runtime.playbooks import ServiceActions
from tests.unit.api.conftest import build_world

WHO = Principal("p", "hq", Role.LEAD, OrgKind.CENTRE)


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
        _Handler.seen.append((self.path, self.headers.get("Idempotency-Key", ""), body))
        self.send_response(202 if self.path != "/api/fail" else 500)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    httpd.shutdown()
    httpd.server_close()


def _actions(url: str, allow: bool) -> ServiceActions:
    endpoint = PlaybookEndpoint(name="lab", url=url, allow_private_addresses=allow)
    return ServiceActions(store=None, data_dir=Path("."), endpoints=[endpoint])  # type: ignore[arg-type]


def test_http_api_reaches_the_endpoint_with_the_idempotency_key(server: str) -> None:
    request = HttpRequest("lab", "POST", server + "/block", {}, '{"ip": "192.0.2.1"}')
    answer = _actions(server, allow=True).http_api(WHO, "run-1/a#1", request)
    assert answer["status"] == 202
    assert _Handler.seen[-1] == ("/api/block", "run-1/a#1", '{"ip": "192.0.2.1"}')
    with pytest.raises(ActionFailedError, match="answered 500"):
        _actions(server, allow=True).http_api(
            WHO, "k", HttpRequest("lab", "POST", server + "/fail")
        )


def test_private_addresses_are_refused_unless_allowed(server: str) -> None:
    before = len(_Handler.seen)
    with pytest.raises(ActionFailedError, match="lab"):
        _actions(server, allow=False).http_api(WHO, "k", HttpRequest("lab", "POST", server + "/x"))
    assert len(_Handler.seen) == before


def test_actions_without_their_desks_fail_and_enrich_names_techniques() -> None:
    """A process opened without the response desks fails those steps (the failure path),
    never pretends the effect; the wired path is tests/unit/runtime/test_respond_together."""
    actions = _actions("https://soar.example.org/api", allow=False)
    for act in (
        actions.issue_measure,
        actions.notify,
        actions.open_case,
        actions.request_assistance,
    ):
        with pytest.raises(ActionFailedError, match="not available in this process"):
            act(WHO, "k", {})
    found = actions.enrich(WHO, "k", {"techniques": ["t1059"]})
    assert found["techniques"][0]["id"] == "T1059" and found["techniques"][0]["name"]


def test_publish_indicator_goes_through_the_gate(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    try:
        actions = ServiceActions(world.services.store, tmp_path, ())
        who = Principal(world.people["alpha-lead"], "alpha", Role.LEAD, OrgKind.NATION)
        args = {"pattern": "[ipv4-addr:value = '203.0.113.9']", "name": "block"}
        published = actions.publish_indicator(who, "run-1/step#1", args)
        ident = published["indicator"]
        assert ident.startswith("indicator--")
        seen = world.client.get(f"/api/v1/intel/objects/{ident}", headers=world.auth("alpha-lead"))
        hidden = world.client.get(
            f"/api/v1/intel/objects/{ident}", headers=world.auth("bravo-lead")
        )
        assert (seen.status_code, hidden.status_code) == (200, 404)
        with pytest.raises(ActionFailedError):
            actions.publish_indicator(who, "run-1/step#2", {"pattern": "[nonsense", "tlp": "green"})
        with pytest.raises(ActionFailedError):
            actions.publish_indicator(
                who, "run-1/step#3", {"pattern": args["pattern"], "tlp": "red"}
            )
    finally:
        world.services.close()

"""The OASIS client (taxii2-client) against Shieldwall's TAXII 2.1 server on real HTTP.

A uvicorn server on 127.0.0.1 (plain HTTP on loopback only: production serves HTTPS, T1)
over a fresh embedded store; the client runs discovery, lists collections, adds objects,
gets with filters, pages to the end, reads the manifest, versions and status.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from taxii2client.v21 import Collection, Server, as_pages

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime.wiring import open_services
from shieldwall.server import create_app
from tests.unit.share.intel_world import indicator


@dataclass
class Running:
    url: str
    tokens: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    settings = load_settings(
        {"SHIELDWALL_DATA_DIR": str(tmp_path), "SHIELDWALL_MAX_BODY_BYTES": "4194304"}
    )
    services = open_services(settings)
    tokens = {}
    for org in ("alpha", "bravo"):
        accounts.add_organisation(
            services.store, OPERATOR, Organisation(org, org.title(), OrgKind.NATION, "FR")
        )
        person = accounts.add_person(
            services.store, OPERATOR, Person("", org, org, f"a@{org}.example", Role.ANALYST)
        )
        issued = accounts.create_token(
            services.store, OPERATOR, person.id, "taxii", timedelta(days=1)
        )
        tokens[org] = issued.secret
    port = _free_port()
    config = uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a guard against hanging, no time budget
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield Running(f"http://127.0.0.1:{port}/taxii2/", tokens)
    server.should_exit = True
    thread.join(timeout=10)
    services.close()


def _federation(running: Running, org: str) -> Collection:
    server = Server(running.url, user=org, password=running.tokens[org])
    assert server.title == "Shieldwall"
    (root,) = server.api_roots
    by_title = {c.title: c for c in root.collections}
    federation = by_title["Federation"]
    assert federation.can_read and federation.can_write
    return Collection(federation.url, user=org, password=running.tokens[org])


def test_taxii2_client_full_cycle(running: Running) -> None:
    collection = _federation(running, "alpha")
    objects = [indicator("alpha", value=f"10.9.{i // 200}.{i % 200}") for i in range(120)]
    bad = indicator("alpha")
    bad["pattern"] = "[broken"
    status = collection.add_objects({"objects": [*objects, bad]})
    assert status.status == "complete"
    assert status.success_count == 120 and status.failure_count == 1
    status.refresh()
    assert status.total_count == 121

    ids = []
    for envelope in as_pages(collection.get_objects, per_request=50):
        ids.extend(o["id"] for o in envelope.get("objects", []))
    assert ids == [o["id"] for o in objects]

    filtered = collection.get_objects(type="indicator", id=objects[3]["id"])
    assert [o["id"] for o in filtered["objects"]] == [objects[3]["id"]]

    manifest = collection.get_manifest(limit=10)
    assert manifest["more"] is True and len(manifest["objects"]) == 10

    newer = {**objects[0], "modified": "2024-09-01T00:00:00.000Z"}
    collection.add_objects({"objects": [newer]})
    versions = collection.object_versions(objects[0]["id"])
    assert len(versions["versions"]) == 2
    latest = collection.get_object(objects[0]["id"])
    assert latest["objects"][0]["modified"] == newer["modified"]


def test_taxii2_client_sees_only_what_the_gate_allows(running: Running) -> None:
    alpha = _federation(running, "alpha")
    alpha.add_objects(
        {"objects": [indicator("alpha", tlp="green"), indicator("alpha", tlp="strict")]}
    )
    bravo = _federation(running, "bravo")
    seen = bravo.get_objects()
    assert len(seen["objects"]) == 1
    assert seen["more"] is False

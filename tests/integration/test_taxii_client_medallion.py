"""The TAXII client against the OASIS reference server (medallion, memory backend) on 127.0.0.1.

Push (with a partial failure the server reports itself), then pull with pagination through
medallion's ``next`` sessions, resume from ``X-TAXII-Date-Added-Last`` saved in a real
SQLite store, and re-run idempotently.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.config.taxii import TaxiiFeed, TaxiiPartner
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.markings import PINNED
from shieldwall.share.taxii_client.push import open_pusher
from shieldwall.share.taxii_client.runner import FeedRunner
from shieldwall.share.taxii_client.state import StoreFeedStates
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.protocols import FeedState
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from tests.unit.share.taxii_client.conftest import FakeSink
from tests.unit.share.taxii_client.taxii_stub import indicator

medallion = pytest.importorskip("medallion")
werkzeug_serving = pytest.importorskip("werkzeug.serving")

COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
GREEN = next(m.id for m in PINNED.values() if m.tlp_version == 2 and m.level is TlpLevel.GREEN)
ENV = {"MEDALLION_USER": "taxii-user", "MEDALLION_PASSWORD": "medallion-secret-pw"}


def _data() -> dict[str, Any]:
    collection = {
        "id": COLLECTION,
        "title": "test",
        "can_read": True,
        "can_write": True,
        "media_types": ["application/stix+json;version=2.1"],
        "objects": [],
        "manifest": [],
    }
    return {
        "/discovery": {"title": "t", "api_roots": ["/api1/"], "default": "/api1/"},
        "api1": {
            "information": {
                "title": "api1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 10_000_000,
            },
            "status": [],
            "collections": [collection],
        },
    }


@pytest.fixture(scope="module")
def medallion_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("medallion")
    data = folder / "data.json"
    data.write_text(json.dumps(_data()))
    config = folder / "config.json"
    config.write_text(
        json.dumps(
            {
                "users": {ENV["MEDALLION_USER"]: ENV["MEDALLION_PASSWORD"]},
                "taxii": {"max_page_size": 10},
                "backend": {
                    "module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(data),
                },
            }
        )
    )
    app = medallion.load_app(str(config))
    server = werkzeug_serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _remote(url: str) -> dict[str, Any]:
    return {
        "name": "medallion",
        "url": url,
        "api_root": "/api1/",
        "collection_id": COLLECTION,
        "auth": "basic",
        "username_env": "MEDALLION_USER",
        "password_env": "MEDALLION_PASSWORD",
        "allow_private_addresses": True,
        "allow_plain_http": True,
        "requests_per_second": 100,
    }


def _push(url: str, objects: list[dict[str, Any]]) -> Any:
    partner = TaxiiPartner(**_remote(url), objects_per_request=10, status_poll_seconds=0.01)
    pusher = open_pusher(partner, env=ENV)
    try:
        return pusher.push(objects)
    finally:
        pusher.close()


def _green(number: int) -> dict[str, Any]:
    return {**indicator(number), "object_marking_refs": [GREEN]}


def test_push_then_pull_resume_and_rerun_against_medallion(
    medallion_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    first = _push(medallion_url, [_green(n) for n in range(25)])
    assert (len(first.succeeded), first.failed, first.errors) == (25, [], [])

    again = _push(medallion_url, [_green(n) for n in (0, 1, 2, 25)])
    assert sorted(f.id for f in again.failed) == sorted(_green(n)["id"] for n in (0, 1, 2))
    assert again.succeeded == [_green(25)["id"]]

    engine = create_sql_engine(f"sqlite:///{tmp_path / 'sw.db'}")
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    states = StoreFeedStates(store)
    sink = FakeSink()
    feed = TaxiiFeed(**_remote(medallion_url), page_size=10)
    runner = FeedRunner([feed], sink, states, env=ENV)

    pulled = runner.run_feed("medallion")
    assert pulled.ok, pulled.error
    assert (pulled.pages, pulled.received, pulled.stored) == (3, 26, 26)
    resume = states.load("medallion").added_after
    assert resume is not None and resume == pulled.resume_point

    _push(medallion_url, [_green(n) for n in (26, 27)])
    resumed = runner.run_feed("medallion")
    assert resumed.resumed_from == resume
    assert (resumed.received, resumed.stored) == (2, 2)

    with store.transaction() as tx:
        tx.feeds.save(FeedState(name="medallion"))  # forget the resume point
    rerun = runner.run_feed("medallion")
    assert (rerun.received, rerun.stored, rerun.unchanged) == (28, 0, 28)
    assert len(sink.versions) == 28
    assert "HTTP Request" in caplog.text
    assert ENV["MEDALLION_PASSWORD"] not in caplog.text
    store.close()

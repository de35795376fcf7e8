"""The feed worker: pulls into the store in the background and stops cleanly; `up` runs it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.runtime.feeds import FeedWorker, feed_runner
from shieldwall.runtime.wiring import Services, open_services
from shieldwall.server import run as server
from tests.unit.share.taxii_client.taxii_stub import (
    COLLECTION,
    RunningStub,
    StubState,
    indicator,
    serve,
)


@pytest.fixture
def stub() -> Iterator[RunningStub]:
    yield from serve(StubState())


def _config(tmp_path: Path, stub: RunningStub, organisation: str = "alpha") -> Path:
    config = tmp_path / "shieldwall.toml"
    config.write_text(
        f"""
[shieldwall]
data_dir = "{tmp_path / "data"}"

[[shieldwall.taxii_feeds]]
name = "stub"
url = "{stub.url}"
api_root = "/api1/"
collection_id = "{COLLECTION}"
organisation = "{organisation}"
allow_private_addresses = true
allow_plain_http = true
requests_per_second = 100
interval_seconds = 3600
"""
    )
    services = open_services(load_settings({}, config))
    accounts.add_organisation(
        services.store, OPERATOR, Organisation("alpha", "alpha", OrgKind.NATION, "FR")
    )
    services.close()
    return config


def _held(services: Services) -> int:
    ids = [indicator(n)["id"] for n in range(10)]
    with services.store.transaction() as tx:
        return len(tx.intel.versions_of(ids))


def _wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_the_worker_pulls_in_the_background_and_stops_on_request(
    tmp_path: Path, stub: RunningStub
) -> None:
    stub.state.add(*(indicator(n) for n in range(3)))
    services = open_services(load_settings({}, _config(tmp_path, stub)))
    worker = FeedWorker(feed_runner(services, {}))
    worker.start()
    _wait_for(lambda: _held(services) == 3)
    assert worker.running
    assert worker.stop(timeout=5) is True
    assert not worker.running
    services.close()


def test_a_feed_naming_an_unknown_member_fails_before_starting(
    tmp_path: Path, stub: RunningStub
) -> None:
    services = open_services(load_settings({}, _config(tmp_path, stub, "nobody")))
    with pytest.raises(ConfigError, match="organisation nobody is not a member"):
        feed_runner(services, {})
    services.close()


def test_up_runs_the_feed_worker_while_serving_and_stops_it_after(
    tmp_path: Path, stub: RunningStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.state.add(*(indicator(n) for n in range(2)))
    config = _config(tmp_path, stub)
    seen: dict[str, bool] = {}

    def serve_briefly(*_args: Any, **_kwargs: Any) -> None:
        services = open_services(load_settings({}, config))
        _wait_for(lambda: _held(services) == 2)
        services.close()
        seen["worker"] = any(t.name == "shieldwall-feeds" for t in threading.enumerate())

    monkeypatch.setattr(server.uvicorn, "run", serve_briefly)
    result = CliRunner().invoke(app, ["up", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "1 TAXII feeds" in result.output
    assert seen == {"worker": True}
    assert not any(t.name == "shieldwall-feeds" for t in threading.enumerate())

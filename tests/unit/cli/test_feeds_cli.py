"""`shieldwall intel pull`, driven as a user would, against a TAXII stub on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from shieldwall.cli import feeds
from tests.unit.share.taxii_client.taxii_stub import (
    COLLECTION,
    RunningStub,
    StubState,
    indicator,
    serve,
)

intel_app = typer.Typer()
feeds.register(intel_app)
app = typer.Typer()
app.add_typer(intel_app, name="intel")


@pytest.fixture
def stub() -> Iterator[RunningStub]:
    yield from serve(StubState())


def _config(tmp_path: Path, stub: RunningStub) -> Path:
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
allow_private_addresses = true
allow_plain_http = true
requests_per_second = 100
page_size = 2
"""
    )
    return config


def test_pull_spools_new_objects_and_a_second_pull_adds_nothing(
    tmp_path: Path, stub: RunningStub
) -> None:
    stub.state.add(*(indicator(n) for n in range(5)))
    config = str(_config(tmp_path, stub))
    runner = CliRunner()
    first = runner.invoke(app, ["intel", "pull", "--config", config])
    assert first.exit_code == 0, first.output
    assert "stub: 3 pages, 5 received, 5 new" in " ".join(first.output.split())
    spooled = (tmp_path / "data" / "feeds" / "stub.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in spooled] == [o["id"] for _, o in stub.state.objects]

    second = runner.invoke(app, ["intel", "pull", "--feed", "stub", "--config", config])
    assert second.exit_code == 0, second.output
    assert "0 received, 0 new" in " ".join(second.output.split())
    assert len((tmp_path / "data" / "feeds" / "stub.jsonl").read_text().splitlines()) == 5


def test_a_failing_feed_exits_1_and_names_the_problem(tmp_path: Path, stub: RunningStub) -> None:
    stub.state.redirect_to = "http://localhost:9/elsewhere"
    result = CliRunner().invoke(app, ["intel", "pull", "--config", str(_config(tmp_path, stub))])
    assert result.exit_code == 1
    assert "refused to follow http://localhost:9" in " ".join(result.output.split())


def test_an_unknown_feed_is_an_error(tmp_path: Path, stub: RunningStub) -> None:
    config = str(_config(tmp_path, stub))
    result = CliRunner().invoke(app, ["intel", "pull", "--feed", "nope", "--config", config])
    assert result.exit_code == 1
    assert "'nope' is not configured" in " ".join(result.output.split())

"""`shieldwall rules add|list|show|enable|disable|test` over a fresh data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.cli.main import app
from tests.unit.live.test_rules_api import RULE, RULE_V2, TWO_ERRORS

RULE_ID = "7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


def test_add_list_show_disable_enable(runner: CliRunner, tmp_path: Path) -> None:
    added = runner.invoke(app, ["rules", "add", write(tmp_path, "r.yml", RULE)])
    assert added.exit_code == 0, added.output
    assert f"rule {RULE_ID} of centre: version 1" in added.output
    again = runner.invoke(app, ["rules", "add", write(tmp_path, "r2.yml", RULE_V2)])
    assert "version 2" in again.output
    off = runner.invoke(app, ["rules", "disable", RULE_ID])
    assert off.exit_code == 0 and "disabled (version 3)" in off.output
    on = runner.invoke(app, ["rules", "enable", RULE_ID])
    assert "enabled (version 4)" in on.output
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0 and RULE_ID[:8] in listed.output
    shown = runner.invoke(app, ["rules", "show", RULE_ID])
    assert shown.exit_code == 0 and "worse.exe" in shown.output
    assert [line.split()[2] for line in shown.output.splitlines() if line.startswith("v")] == [
        "added",
        "updated",
        "disabled",
        "enabled",
    ]


def test_a_refused_rule_lists_every_load_error(runner: CliRunner, tmp_path: Path) -> None:
    refused = runner.invoke(app, ["rules", "add", write(tmp_path, "bad.yml", TWO_ERRORS)])
    assert refused.exit_code == 1
    assert "nosuchmodifier" in refused.output and "(unclosed" in refused.output
    missing = runner.invoke(app, ["rules", "show", "no-such-rule"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_a_rule_file_or_a_stored_rule_runs_over_an_events_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    events = write(
        tmp_path,
        "events.ndjson",
        json.dumps(
            {
                "Channel": "Microsoft-Windows-Sysmon/Operational",
                "EventID": 1,
                "Image": "C:\\evil.exe",
            }
        )
        + "\n",
    )
    tested = runner.invoke(app, ["rules", "test", write(tmp_path, "r.yml", RULE), events, "--json"])
    assert tested.exit_code == 0, tested.output
    assert json.loads(tested.output)["matched"] == 1
    runner.invoke(app, ["rules", "add", str(tmp_path / "r.yml")])
    stored = runner.invoke(app, ["rules", "test", RULE_ID, events])
    assert stored.exit_code == 0 and "1 events, 1 matches" in stored.output

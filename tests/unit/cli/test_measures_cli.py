"""`shieldwall measures ...` over a data directory: issue, allow-list, subscribe, build a
signed version to a folder, verify it with the published key, withdraw."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.runtime import open_services


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    data = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(data))
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    try:
        for org in (
            Organisation("centre", "Centre", OrgKind.CENTRE, "BE"),
            Organisation("alpha", "Alpha", OrgKind.NATION, "FR"),
        ):
            accounts.add_organisation(services.store, OPERATOR, org)
    finally:
        services.close()
    return CliRunner()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["measures", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_issue_build_verify_withdraw(runner: CliRunner, tmp_path: Path) -> None:
    until = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    command = ("issue", "domain", "Evil.Example", "--reason", "phishing", "--until", until)
    issued = json.loads(_ok(runner, *command))
    assert issued["value"] == "evil.example" and issued["replayed"] is False
    again = json.loads(_ok(runner, *command))
    assert again["replayed"] is True and again["id"] == issued["id"]
    _ok(runner, "subscribe", "alpha", "--format", "rpz", "--format", "plain")
    out = tmp_path / "v1"
    report = json.loads(_ok(runner, "build", "alpha", "--out", str(out)))
    assert report["version"] == 1 and report["counts"] == {"domain": 1}
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "measures.rpz.zone", "measures.txt"
    ]  # fmt: skip
    key = tmp_path / "centre.pem"
    key.write_text(_ok(runner, "key"))
    assert "verified" in _ok(runner, "verify", str(out / "manifest.json"), "--key", str(key))
    (out / "measures.txt").write_text("evil.example\nbank.example\n")
    command = ["measures", "verify", str(out / "manifest.json"), "--key", str(key)]
    tampered = runner.invoke(app, command)
    assert tampered.exit_code == 1 and "SHA-256" in tampered.output
    _ok(runner, "withdraw", issued["id"], "--reason", "false positive")
    report = json.loads(_ok(runner, "build", "alpha", "--out", str(tmp_path / "v2")))
    assert report["version"] == 2 and report["counts"] == {}
    assert (tmp_path / "v2" / "measures.txt").read_text() == ""


def test_allowlist_stops_and_is_reported(runner: CliRunner) -> None:
    _ok(runner, "allowlist", "add", "ip", "9.9.9.9", "--note", "resolver")
    refused = runner.invoke(app, ["measures", "issue", "ip", "9.9.9.0/24", "--reason", "x"])
    assert refused.exit_code == 1 and "allow-list" in refused.output
    _ok(runner, "allowlist", "add", "domain", "portal.example", "--member", "alpha")
    _ok(runner, "issue", "domain", "portal.example", "--reason", "typosquat")
    _ok(runner, "subscribe", "alpha")
    stopped = json.loads(_ok(runner, "stopped", "alpha"))["stopped"]
    assert [(s["value"], s["allowed_by"]["note"]) for s in stopped] == [("portal.example", "")]
    shown = json.loads(_ok(runner, "allowlist", "show", "--member", "alpha"))
    assert {entry["value"] for entry in shown} == {"9.9.9.9", "portal.example"}
    _ok(runner, "allowlist", "remove", shown[0]["id"])
    assert len(json.loads(_ok(runner, "allowlist", "show", "--member", "alpha"))) == 1

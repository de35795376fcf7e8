"""The administration commands, driven as a user would, against a fresh data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.cli.main import app


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_org_user_token_lifecycle(run: CliRunner) -> None:
    _ok(run, "org", "add", "centre", "--name", "Centre", "--kind", "centre", "--country", "BE")
    _ok(
        run,
        "org",
        "add",
        "cert-fr",
        "--name",
        "CERT-FR",
        "--kind",
        "nation",
        "--country",
        "fr",
        "--sector",
        "government",
    )
    listing = _ok(run, "org", "list")
    assert "cert-fr" in listing
    assert "FR" in listing
    _ok(run, "user", "add", "ana@cert.fr", "--org", "cert-fr", "--name", "Ana", "--role", "lead")
    assert "ana@cert.fr" in _ok(run, "user", "list", "--org", "cert-fr")
    created = _ok(run, "token", "create", "ana@cert.fr", "--days", "7")
    token_id = created.split()[1]
    assert "swt_" + token_id in created
    assert "active" in _ok(run, "token", "list")
    _ok(run, "token", "revoke", token_id)
    assert "revoked" in _ok(run, "token", "list")
    _ok(run, "org", "suspend", "cert-fr")
    assert "suspended" in _ok(run, "org", "list")
    # 2 orgs, 1 person, 2 audited people reads (list, and the e-mail lookup of token
    # create), 1 token, 1 revocation, 1 suspension, after the genesis entry
    assert "intact: 9 entries" in _ok(run, "audit", "verify")


def test_bad_input_is_one_clear_line_and_exit_1(run: CliRunner) -> None:
    result = run.invoke(
        app, ["org", "add", "Bad_Slug", "--name", "x", "--kind", "civil", "--country", "FR"]
    )
    assert result.exit_code == 1
    assert "id: must be lower-case" in result.output
    result = run.invoke(app, ["token", "create", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no person with e-mail nobody@example.org" in result.output


def test_a_bad_setting_names_the_key(run: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIELDWALL_SQLITE_SYNCHRONOUS", "OFF")
    result = run.invoke(app, ["org", "list"])
    assert result.exit_code == 1
    assert "SHIELDWALL_SQLITE_SYNCHRONOUS" in result.output


def test_audit_verify_exits_3_naming_the_tampered_entry(run: CliRunner, tmp_path: Path) -> None:
    _ok(run, "org", "add", "centre", "--name", "Centre", "--kind", "centre", "--country", "BE")
    _ok(run, "org", "add", "two", "--name", "Two", "--kind", "civil", "--country", "BE")
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "shieldwall.db") as db:
        db.execute("UPDATE audit_entries SET object_id = 'tampered' WHERE seq = 1")
    result = run.invoke(app, ["audit", "verify"])
    assert result.exit_code == 3
    assert "entry 1 changed" in result.output

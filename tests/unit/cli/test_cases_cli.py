"""`shieldwall cases ...` and `shieldwall report handover` over a seeded data directory."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime import open_services


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A data directory with alpha's incident 1, alpha's analyst and bravo's lead."""
    data = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(data))
    monkeypatch.setenv("COLUMNS", "200")
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    try:
        for org_id in ("alpha", "bravo"):
            org = Organisation(org_id, org_id, OrgKind.NATION, "FR")
            accounts.add_organisation(services.store, OPERATOR, org)
        for org_id, role in (("alpha", Role.ANALYST), ("alpha", Role.LEAD), ("bravo", Role.LEAD)):
            person = Person("", org_id, "P", f"{role.value}@{org_id}.example", role)
            accounts.add_person(services.store, OPERATOR, person)
        with services.store.transaction() as tx:
            tx.incidents.open("alpha", "Evil binary started", "critical", "seed:alpha")
    finally:
        services.close()
    return CliRunner()


def cli(run: CliRunner, *args: str) -> str:
    result = run.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_case_from_open_to_closed(run: CliRunner, tmp_path: Path) -> None:
    alpha = ("--as", "analyst@alpha.example")
    assert "case 1 of alpha (incident 1)" in cli(run, "cases", "open", "1", *alpha)
    cli(run, "cases", "comment", "1", "ws1 isolated", "--tlp", "amber", *alpha)
    cli(run, "cases", "observable", "1", "ip", "198.51.100.7", "--tlp", "green", *alpha)
    task = cli(run, "cases", "task", "1", "Reimage ws1", *alpha).split()[1]
    cli(run, "cases", "task", "1", "--item", task, "--status", "done", *alpha)
    evidence = tmp_path / "evil.exe"
    evidence.write_bytes(b"MZ evil")
    added = cli(run, "cases", "evidence", "1", str(evidence), *alpha)
    assert hashlib.sha256(b"MZ evil").hexdigest() in added
    item = added.split()[1]
    back = tmp_path / "back.bin"
    cli(run, "cases", "evidence", "1", str(back), "--get", item, *alpha)
    assert back.read_bytes() == b"MZ evil"
    cli(run, "cases", "status", "1", "triaged", *alpha)
    refused = run.invoke(app, ["cases", "status", "1", "closed", *alpha])
    assert refused.exit_code == 1 and "reason" in refused.output
    shown = cli(run, "cases", "status", "1", "closed", "--reason", "reimaged", *alpha)
    assert "status closed (reimaged)" in shown and "ws1 isolated" in shown
    listed = cli(run, "cases", "list", *alpha)
    assert "Evil binary started" in listed


def test_sharing_and_what_another_member_sees(run: CliRunner) -> None:
    alpha, bravo = ("--as", "lead@alpha.example"), ("--as", "lead@bravo.example")
    cli(run, "cases", "open", "1", *alpha)
    cli(run, "cases", "comment", "1", "for everyone", "--tlp", "green", *alpha)
    cli(run, "cases", "comment", "1", "for alpha", "--tlp", "amber+strict", *alpha)
    hidden = run.invoke(app, ["cases", "show", "1", *bravo])
    absent = run.invoke(app, ["cases", "show", "9", *bravo])
    assert hidden.exit_code == absent.exit_code == 1
    assert hidden.output.replace("1", "N") == absent.output.replace("9", "N")
    cli(run, "cases", "share", "1", "bravo", "--max-tlp", "amber", *alpha)
    seen = cli(run, "cases", "show", "1", *bravo)
    assert "for everyone" in seen and "for alpha" not in seen


def test_handover_report(run: CliRunner) -> None:
    alpha = ("--as", "lead@alpha.example")
    first = json.loads(cli(run, "report", "handover", "--take", "--json", *alpha))
    assert [i["id"] for i in first["new_incidents"]] == [1]
    assert first["taken"] is True and first["pending_approvals"] == []  # wired: none waits
    second = json.loads(cli(run, "report", "handover", "--json", *alpha))
    assert second["new_incidents"] == [] and second["since"] is not None
    assert "new incident" not in cli(run, "report", "handover", *alpha)
    nobody = run.invoke(app, ["report", "handover", "--as", "nobody@x.example"])
    assert nobody.exit_code == 1 and "no person" in nobody.output

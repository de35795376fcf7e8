"""`shieldwall community add|list|show` over a fresh data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.cli.communities import parse_rule
from shieldwall.cli.main import app
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_rules_parse_and_bad_ones_name_the_option() -> None:
    rule = parse_rule("kind=civil,industry;country=nl;sector=energy")
    assert rule.kinds == {OrgKind.CIVIL, OrgKind.INDUSTRY}
    assert rule.countries == {"NL"} and rule.sectors == {"energy"}
    with pytest.raises(InputError, match="--rule"):
        parse_rule("colour=blue")


def test_add_list_show(run: CliRunner) -> None:
    _ok(run, "org", "add", "nl-grid", "--name", "Grid", "--kind", "civil", "--country", "NL")
    _ok(run, "org", "add", "fr-cert", "--name", "CERT", "--kind", "nation", "--country", "FR")
    added = _ok(run, "community", "add", "dutch", "--name", "Dutch", "--rule", "country=NL")
    assert "1 organisations" in added
    assert "dutch" in _ok(run, "community", "list")
    shown = _ok(run, "community", "show", "dutch")
    assert "organisations now: nl-grid" in shown and "country=NL" in shown
    missing = run.invoke(app, ["community", "show", "nope"])
    assert missing.exit_code == 1

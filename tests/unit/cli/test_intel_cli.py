"""`shieldwall intel import|export|list` over a fresh embedded store."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.runtime.wiring import open_services
from tests.unit.share.intel_world import MARK, indicator


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    variables = {"SHIELDWALL_DATA_DIR": str(tmp_path / "data")}
    services = open_services(load_settings(variables))
    for org in ("alpha", "bravo"):
        accounts.add_organisation(
            services.store, OPERATOR, Organisation(org, org, OrgKind.NATION, "FR")
        )
    services.close()
    return variables


def test_import_then_export_for_another_member(env: dict[str, str], tmp_path: Path) -> None:
    green, strict = indicator("alpha", tlp="green"), indicator("alpha", tlp="strict")
    broken = indicator("alpha")
    broken["pattern"] = "[nope"
    folder = tmp_path / "bundles"
    folder.mkdir()
    (folder / "a.json").write_bytes(
        orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": [green, strict, broken]})
    )
    (folder / "b.json").write_text("not json")
    runner = CliRunner()
    imported = runner.invoke(app, ["intel", "import", str(folder), "--as", "alpha"], env=env)
    assert imported.exit_code == 1, imported.output  # b.json was not read
    assert "stored 2 object versions, refused 1, 1 unreadable" in imported.output
    exported = runner.invoke(app, ["intel", "export", "--for", "bravo"], env=env)
    bundle = orjson.loads(exported.stdout)
    assert [o["id"] for o in bundle["objects"]] == [MARK["green"], green["id"]]
    as_csv = runner.invoke(app, ["intel", "export", "--for", "alpha", "--format", "csv"], env=env)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {row["id"] for row in rows} == {green["id"], strict["id"]}
    listed = runner.invoke(app, ["intel", "list", "--for", "bravo"], env=env)
    assert green["id"] in listed.output and strict["id"] not in listed.output


def test_unknown_organisation_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "x.json"
    file.write_bytes(orjson.dumps({"type": "bundle", "objects": []}))
    result = CliRunner().invoke(app, ["intel", "import", str(file), "--as", "nobody"], env=env)
    assert result.exit_code == 1
    assert "nobody" in result.output

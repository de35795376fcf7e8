"""``shieldwall attack load`` and ``show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from shieldwall.cli import attack as attack_cli
from shieldwall.detect.attack import table_path
from tests.unit.detect.attack.attack_bundles import small_bundle


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    attack_cli.register(application)
    return application


def _invoke(app: typer.Typer, *args: str, data_dir: Path) -> tuple[int, str, str]:
    env = {"SHIELDWALL_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["attack", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_load_writes_the_table_into_the_data_directory(app, tmp_path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(small_bundle()), encoding="utf-8")
    code, _, stderr = _invoke(app, "load", str(bundle), data_dir=tmp_path / "data")
    assert code == 0, stderr
    assert "3 techniques written" in stderr
    table = json.loads(table_path(tmp_path / "data").read_text(encoding="utf-8"))
    assert table["source"] == "bundle.json"


def test_show_uses_the_loaded_table(app, tmp_path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(small_bundle()), encoding="utf-8")
    _invoke(app, "load", str(bundle), data_dir=tmp_path)
    code, stdout, _ = _invoke(app, "show", "T1218", "attack.t1086", data_dir=tmp_path)
    assert code == 0
    assert "System Binary Proxy Execution" in stdout
    assert "T1059.001" in stdout


def test_show_falls_back_to_the_shipped_table(app, tmp_path) -> None:
    code, stdout, _ = _invoke(app, "show", "t1003.001", data_dir=tmp_path)
    assert code == 0
    assert "LSASS Memory" in stdout
    assert "credential-access" in stdout


def test_load_of_a_bad_file_is_a_usage_error(app, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, stderr = _invoke(app, "load", str(bad), data_dir=tmp_path)
    assert code == 2
    assert "bad.json" in stderr and "not JSON" in stderr
    assert not table_path(tmp_path).exists()

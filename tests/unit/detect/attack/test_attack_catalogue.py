"""Tag resolution, the data-directory override, and the shipped table's fidelity."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from shieldwall.detect.attack import (
    AttackCatalogue,
    build_table,
    install_bundle,
    load_catalogue,
    read_bundle,
    table_json,
    table_path,
)
from shieldwall.model.detection import AttackTechnique
from shieldwall.model.errors import InputError
from tests.unit.detect.attack.attack_bundles import small_bundle


@pytest.fixture
def catalogue() -> AttackCatalogue:
    return AttackCatalogue(build_table(small_bundle(), source_name="test.json"))


POWERSHELL = AttackTechnique("T1059.001", "PowerShell", ("execution",))
INTERPRETER = AttackTechnique("T1059", "Command and Scripting Interpreter", ("execution",))


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["attack.t1059.001"], (POWERSHELL,)),
        (["attack.T1059.001", "attack.t1059"], (POWERSHELL, INTERPRETER)),
        (["attack.execution", "attack.g0007", "attack.s0002", "car.2013-05-004"], ()),
        (["attack.t1086"], (POWERSHELL,)),
        (["attack.t1059.001", "attack.t1086"], (POWERSHELL,)),
        (["attack.t9999"], (AttackTechnique("T9999", ""),)),
        (["attack.t1059.0011", "attack.t105"], ()),
    ],
    ids=["sub", "order", "not-techniques", "revoked", "dedup", "unknown", "malformed"],
)
def test_resolve(
    catalogue: AttackCatalogue, tags: list[str], expected: tuple[AttackTechnique, ...]
) -> None:
    assert catalogue.resolve(tags) == expected


def test_tactic_tags_are_recognised_as_tactics(catalogue: AttackCatalogue) -> None:
    assert catalogue.is_tactic_tag("attack.defense-evasion")
    assert not catalogue.is_tactic_tag("attack.t1059")
    assert catalogue.tactic_name("execution") == "Execution"
    assert catalogue.tactic_name("unknown") is None


def test_a_table_of_another_format_is_refused() -> None:
    with pytest.raises(InputError, match="unsupported ATT&CK table format"):
        AttackCatalogue({"format": 99, "techniques": {}}, origin="x.json")


def test_without_a_data_directory_table_the_shipped_one_is_used(tmp_path: Path) -> None:
    shipped = load_catalogue(tmp_path)
    assert shipped.origin.endswith("techniques.json")
    assert shipped.technique("T1059.001").name == "PowerShell"
    assert len(shipped) > 500


def test_attack_load_writes_a_table_that_then_takes_precedence(tmp_path: Path) -> None:
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(small_bundle()), encoding="utf-8")
    data_dir = tmp_path / "data"
    installed = install_bundle(bundle_file, data_dir)
    assert table_path(data_dir).is_file()
    loaded = load_catalogue(data_dir)
    assert loaded.origin == str(table_path(data_dir))
    assert len(loaded) == len(installed) == 3


def test_a_corrupt_data_directory_table_is_reported(tmp_path: Path) -> None:
    table_path(tmp_path).parent.mkdir(parents=True)
    table_path(tmp_path).write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON") as caught:
        load_catalogue(tmp_path)
    assert caught.value.source == str(table_path(tmp_path))


def test_install_reports_an_unwritable_data_directory(tmp_path: Path) -> None:
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(small_bundle()), encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        install_bundle(bundle_file, blocker)


@pytest.mark.corpus
def test_shipped_table_is_what_the_generator_makes_from_the_bundle(attack_dir: Path) -> None:
    bundle_file = attack_dir / "enterprise-attack-v18.1.json.gz"
    generated = table_json(build_table(read_bundle(bundle_file), source_name=bundle_file.name))
    shipped = resources.files("shieldwall.detect.attack").joinpath("techniques.json")
    assert shipped.read_text(encoding="utf-8") == generated


@pytest.mark.corpus
def test_shipped_notice_carries_the_mitre_licence(attack_dir: Path) -> None:
    licence = (attack_dir / "LICENSE.txt").read_text(encoding="utf-8")
    designation = next(line for line in licence.splitlines() if line.startswith('"©'))
    assert designation.strip('"') in load_catalogue().notice

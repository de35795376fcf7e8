"""`shieldwall playbooks …` over a seeded data directory: refusal with every problem,
import, dry run, a run waiting for a member's lead, approval with --as, the journal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime import open_services
from tests.unit.respond.playbooks.builders import Book, shieldwall


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The centre and alpha; the id of alpha's lead."""
    data = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(data))
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    try:
        accounts.add_organisation(
            services.store, OPERATOR, Organisation("hq", "Centre", OrgKind.CENTRE, "BE")
        )
        accounts.add_organisation(
            services.store, OPERATOR, Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
        )
        lead = accounts.add_person(
            services.store, OPERATOR, Person("", "alpha", "Lea", "lea@alpha.example", Role.LEAD)
        )
    finally:
        services.close()
    return lead.id


def test_the_playbooks_commands_from_import_to_approval(seeded: str, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = Book()
    bad.link(bad.start, on_completion=bad.action({"type": "ssh", "command": "reboot"}))
    (tmp_path / "bad.json").write_bytes(bad.json())
    refused = runner.invoke(app, ["playbooks", "validate", str(tmp_path / "bad.json")])
    assert refused.exit_code == 1
    assert "the command type 'ssh' is not allowed" in " ".join(refused.output.split())

    book = Book("block after alpha says yes")
    approve = book.action(shieldwall("approval", members=["alpha"]))
    enrich = book.action(shieldwall("enrich"), on_completion=book.end())
    book.link(book.start, on_completion=approve)
    book.link(approve, on_success=enrich, on_failure=book.end())
    (tmp_path / "good.json").write_bytes(book.json())
    pid = book.doc["id"]
    imported = runner.invoke(app, ["playbooks", "import", str(tmp_path / "good.json")])
    assert imported.exit_code == 0, imported.output
    assert "for hq" in imported.output
    dry = runner.invoke(app, ["playbooks", "run", pid, "--dry-run"])
    assert "would approval" in dry.output and "dry run: succeeded" in dry.output
    started = runner.invoke(app, ["playbooks", "run", pid])
    assert "waiting" in started.output, started.output
    run_id = re.search(r"run (\d+):", started.output).group(1)  # type: ignore[union-attr]
    asked = runner.invoke(app, ["playbooks", "approvals", "--as", seeded])
    assert asked.exit_code == 0, asked.output
    assert "block after alpha says yes" in asked.output and "then action: enrich" in asked.output
    shown = runner.invoke(app, ["playbooks", "journal", run_id])
    approval_id = re.search(r'"id": (\d+)', shown.output).group(1)  # type: ignore[union-attr]
    as_operator = runner.invoke(app, ["playbooks", "approve", approval_id])
    assert as_operator.exit_code != 0  # the centre does not decide for a named member
    decided = runner.invoke(app, ["playbooks", "approve", approval_id, "--as", seeded])
    assert decided.exit_code == 0 and "succeeded" in decided.output, decided.output
    journal = runner.invoke(app, ["playbooks", "journal", run_id])
    assert "approval" in journal.output and "enrich" in journal.output
    listed = runner.invoke(app, ["playbooks", "runs", "--as", seeded])
    assert f"\u2502 {run_id} " in listed.output or run_id in listed.output
    exported = runner.invoke(app, ["playbooks", "export", pid])
    assert pid in exported.output


def test_sign_then_import_and_a_tampered_copy_is_refused(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    key = Ed25519PrivateKey.generate()
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    (tmp_path / "signer.pem").write_bytes(
        key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    book = Book("signed block")
    book.link(book.start, on_completion=book.action(shieldwall("enrich"), on_completion=book.end()))
    (tmp_path / "plain.json").write_bytes(book.json())
    runner = CliRunner()
    signing = ["playbooks", "sign", "--key", str(tmp_path / "key.pem"), "--valid-days", "30"]
    made = runner.invoke(app, [*signing, str(tmp_path / "plain.json"), "--out", "signed.json"])
    assert made.exit_code == 0, made.output
    signed = json.loads(Path("signed.json").read_text())
    assert signed["signatures"][0]["algorithm"] == "Ed25519"
    monkeypatch.setenv("SHIELDWALL_PLAYBOOKS_TRUSTED_SIGNERS", str(tmp_path / "signer.pem"))
    unsigned = runner.invoke(app, ["playbooks", "import", str(tmp_path / "plain.json")])
    assert unsigned.exit_code == 1 and "none is signed" in unsigned.output
    imported = runner.invoke(app, ["playbooks", "import", "signed.json"])
    assert imported.exit_code == 0, imported.output
    signed["name"] = "signed block, widened"
    Path("tampered.json").write_text(json.dumps(signed))
    refused = runner.invoke(app, ["playbooks", "import", "tampered.json"])
    assert refused.exit_code == 1
    assert "signatures[0]: signature refused: does not verify" in " ".join(refused.output.split())
    exported = runner.invoke(app, ["playbooks", "export", book.doc["id"]])
    assert (
        json.loads(exported.output)["signatures"]
        == json.loads(Path("signed.json").read_text())["signatures"]
    )

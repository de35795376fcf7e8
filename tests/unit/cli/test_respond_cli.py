"""`shieldwall notify …` and `shieldwall assist …` over a seeded data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime import open_services

KEY = "cli-signing-key-" + "x" * 32


@pytest.fixture
def people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """alpha and bravo with an analyst each; their person ids by name."""
    data = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(data))
    monkeypatch.setenv("HOOK_KEY", KEY)
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    found: dict[str, str] = {}
    try:
        for org_id, kind in (
            ("centre", OrgKind.CENTRE),
            ("alpha", OrgKind.NATION),
            ("bravo", OrgKind.NATION),
        ):
            accounts.add_organisation(
                services.store, OPERATOR, Organisation(org_id, org_id, kind, "FR")
            )
            person = Person("", org_id, org_id, f"ana@{org_id}.example", Role.ANALYST)
            found[org_id] = accounts.add_person(services.store, OPERATOR, person).id
    finally:
        services.close()
    return found


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_notify_channels_add_test_and_dead_letters(people: dict[str, str]) -> None:
    added = run(
        "notify", "add", "--org", "alpha", "--type", "webhook",
        "--target", "https://soc.alpha.example/hook/TOKEN", "--max-tlp", "amber",
        "--secret-env", "HOOK_KEY",
    )  # fmt: skip
    channel_id = added.split()[1]
    listed = run("notify", "channels", "--org", "alpha")
    assert "TLP:AMBER" in listed and KEY not in listed and "TOKEN" not in listed
    assert "queued" in run("notify", "test", channel_id)
    assert "no deliveries" in run("notify", "dead-letters", "--org", "alpha")
    missing = CliRunner().invoke(app, ["notify", "redrive", "12345"])
    assert missing.exit_code == 1 and "not found" in missing.output
    red = CliRunner().invoke(
        app,
        ["notify", "add", "--org", "alpha", "--type", "email", "--target", "a@alpha.example",
         "--max-tlp", "red"],
    )  # fmt: skip
    assert red.exit_code == 1 and "named people only" in red.output


def test_assist_request_offer_accept_close(people: dict[str, str]) -> None:
    alpha, bravo = people["alpha"], people["bravo"]
    asked = run(
        "assist", "request", "--title", "Need malware analysis", "--need", "malware-analysis",
        "--tlp", "green", "--as", alpha,
    )  # fmt: skip
    assert asked.startswith("request 1 of alpha")
    assert "TLP:GREEN" in run("assist", "list", "--as", bravo)
    offered = run(
        "assist", "offer", "1", "--need", "malware-analysis", "--text", "sandbox", "--as", bravo
    )
    assert "sandbox" in offered
    accepted = run("assist", "accept", "1", "1", "--as", alpha)
    assert "status accepted" in accepted and "to acceptance -" not in accepted
    assert "status closed" in run("assist", "close", "1", "--reason", "done", "--as", alpha)
    assert "offered" in run("assist", "show", "1", "--as", bravo)

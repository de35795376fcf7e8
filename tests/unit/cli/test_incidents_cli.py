"""`shieldwall incident list|show|assign|status|comment` over a seeded data directory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime import open_services


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, str]:
    """A runner over a data directory holding one incident of alpha; alpha's analyst's id."""
    data = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(data))
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    try:
        for org_id in ("alpha", "bravo"):
            accounts.add_organisation(
                services.store, OPERATOR, Organisation(org_id, org_id, OrgKind.NATION, "FR")
            )
        analyst = accounts.add_person(
            services.store, OPERATOR, Person("", "alpha", "Ana", "ana@alpha.example", Role.ANALYST)
        )
        alert = NewAlert(
            key="alpha:1:rule",
            org_id="alpha",
            rule_id="rule",
            rule_title="Evil binary started",
            level="high",
            tags=(),
            event_time=datetime(2026, 12, 1, tzinfo=UTC),
            source="ingest:alpha:b#1",
            matched={},
            event={},
            entities=Entities(hosts=("ws1",)),
        )
        with services.store.transaction() as tx:
            tx.alerts.add([alert])
            hit = tx.alerts.hit(alert.key)
            assert hit is not None
            fuse_hit(tx.incidents, hit, GroupingRules())
            bravos = tx.incidents.open("bravo", "Seen at bravo", "low", "seed:bravo")
            for member, incident in (("alpha", 1), ("bravo", bravos)):
                tx.campaigns.note("ip:192.0.2.1", member, incident, alert.event_time or NOW)
    finally:
        services.close()
    return CliRunner(), analyst.id


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_list_show_and_handle_an_incident(run: tuple[CliRunner, str]) -> None:
    runner, analyst = run
    listed = _ok(runner, "incident", "list", "--status", "new")
    assert "Evil binary" in listed and "high" in listed and "alpha" in listed
    assert "Evil binary" not in _ok(runner, "incident", "list", "--status", "closed")
    shown = _ok(runner, "incident", "show", "1")
    assert "Evil binary started on ws1" in shown and "opened" in shown
    assert analyst in _ok(runner, "incident", "assign", "1", analyst)
    assert "in_progress" in _ok(runner, "incident", "status", "1", "in_progress")
    assert "ws1 isolated" in _ok(runner, "incident", "comment", "1", "ws1 isolated")
    assert "in_progress" in _ok(runner, "incident", "list", "--status", "in_progress")
    shown = _ok(runner, "incident", "status", "1", "closed", "--reason", "cleaned")
    assert "status closed (cleaned)" in shown and "operator" in shown


def test_bad_requests_are_one_clear_line(run: tuple[CliRunner, str]) -> None:
    runner, _ = run
    missing = runner.invoke(app, ["incident", "show", "9"])
    assert missing.exit_code != 0 and "incident 9 not found" in missing.output
    no_reason = runner.invoke(app, ["incident", "status", "1", "closed"])
    assert no_reason.exit_code != 0 and "reason" in no_reason.output
    severity = runner.invoke(app, ["incident", "list", "--severity", "huge"])
    assert severity.exit_code != 0 and "severity" in severity.output


def test_campaigns_list_and_show(run: tuple[CliRunner, str]) -> None:
    runner, _ = run
    listed = _ok(runner, "campaign", "list")
    assert "192.0.2.1" in listed and "alpha, bravo" in listed
    shown = _ok(runner, "campaign", "show", "1")
    assert "alpha: incidents 1" in shown and "bravo: incidents 2" in shown
    missing = runner.invoke(app, ["campaign", "show", "7"])
    assert missing.exit_code != 0 and "campaign 7 not found" in missing.output

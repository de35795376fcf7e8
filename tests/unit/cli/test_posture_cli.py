"""`shieldwall posture [--history] [--recompute]` and `shieldwall org sectors` over a seeded
data directory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.runtime import open_services


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A data directory with alpha (a fresh critical incident) and bravo."""
    data = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(data))
    services = open_services(load_settings({"SHIELDWALL_DATA_DIR": str(data)}))
    try:
        for org_id in ("alpha", "bravo"):
            accounts.add_organisation(
                services.store, OPERATOR, Organisation(org_id, org_id, OrgKind.NATION, "FR")
            )
        alert = NewAlert(
            key="alpha:1:rule",
            org_id="alpha",
            rule_id="rule",
            rule_title="Evil",
            level="critical",
            tags=(),
            event_time=datetime.now(UTC) - timedelta(minutes=1),
            source="s",
            matched={},
            event={},
            entities=Entities(hosts=("ws1",)),
        )
        with services.store.transaction() as tx:
            tx.alerts.add([alert])
            hit = tx.alerts.hit(alert.key)
            assert hit is not None
            fuse_hit(tx.incidents, hit, GroupingRules(), tx.campaigns)
    finally:
        services.close()
    return CliRunner()


def test_sectors_then_posture_and_its_history(runner: CliRunner) -> None:
    done = runner.invoke(app, ["org", "sectors", "alpha", "--sector", "Energy"])
    assert done.exit_code == 0, done.output
    assert "alpha: sectors energy" in done.output
    assert runner.invoke(app, ["org", "sectors", "nobody", "--sector", "x"]).exit_code != 0
    shown = runner.invoke(app, ["posture", "--recompute"])
    assert shown.exit_code == 0, shown.output
    assert "recomputed: 4 level(s) changed" in shown.output  # 2 members, energy, coalition
    assert "4 high" in shown.output and "energy" in shown.output
    again = runner.invoke(app, ["posture", "--recompute", "--history", "--scope", "member"])
    assert again.exit_code == 0, again.output
    assert "recomputed: 0 level(s) changed" in again.output
    assert "alpha" in again.output and "bravo" in again.output
    assert "energy" not in again.output

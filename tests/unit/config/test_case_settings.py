"""Settings of cases: SLA minutes by severity and the evidence limit, from TOML and env."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError
from shieldwall.respond import DEFAULT_SLA_MINUTES, SlaPolicy

T0 = datetime(2026, 12, 7, tzinfo=UTC)


def test_sla_minutes_from_the_environment_override_only_what_they_name() -> None:
    settings = load_settings({"SHIELDWALL_CASE_SLA_MINUTES": "critical=30, high=120"})
    assert settings.case_sla_minutes == {"critical": 30, "high": 120}
    policy = SlaPolicy(settings.case_sla_minutes)
    assert policy.due_at("critical", T0) == T0 + timedelta(minutes=30)
    assert policy.due_at("low", T0) == T0 + timedelta(minutes=DEFAULT_SLA_MINUTES["low"])


def test_sla_minutes_from_toml(tmp_path: Path) -> None:
    config = tmp_path / "shieldwall.toml"
    config.write_text(
        "[shieldwall]\ncase_evidence_max_bytes = 4096\n\n"
        "[shieldwall.case_sla_minutes]\nmedium = 90\n"
    )
    settings = load_settings({}, config)
    assert (settings.case_sla_minutes, settings.case_evidence_max_bytes) == ({"medium": 90}, 4096)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("urgent=5", "SHIELDWALL_CASE_SLA_MINUTES"),
        ("high=0", "SHIELDWALL_CASE_SLA_MINUTES"),
        ("high", "SHIELDWALL_CASE_SLA_MINUTES"),
        ("high=soon", "SHIELDWALL_CASE_SLA_MINUTES"),
    ],
)
def test_bad_sla_minutes_are_refused_naming_the_key(value: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SHIELDWALL_CASE_SLA_MINUTES": value})
    assert named in caught.value.key


def test_the_evidence_limit_is_bounded() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SHIELDWALL_CASE_EVIDENCE_MAX_BYTES": "0"})
    assert "CASE_EVIDENCE_MAX_BYTES" in caught.value.key

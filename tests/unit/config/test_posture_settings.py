"""Posture, campaign and stream settings from the environment (docs/posture.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError
from shieldwall.runtime.live import campaign_rules, posture_desk


def test_thresholds_from_the_environment_must_rise() -> None:
    settings = load_settings({"SHIELDWALL_POSTURE_THRESHOLDS": "1, 5,10,50"})
    assert settings.posture_thresholds == (1.0, 5.0, 10.0, 50.0)
    for bad in ("4,3,2,1", "1,1,2,3", "1,2,3", "a,b,c,d"):
        with pytest.raises(ConfigError):
            load_settings({"SHIELDWALL_POSTURE_THRESHOLDS": bad})


def test_the_settings_reach_the_rules() -> None:
    settings = load_settings(
        {
            "SHIELDWALL_CAMPAIGN_BY_CHAIN": "false",
            "SHIELDWALL_CAMPAIGN_IPV4_PREFIX": "16",
            "SHIELDWALL_CAMPAIGN_CHAIN_WINDOW_SECONDS": "3600",
            "SHIELDWALL_POSTURE_HALF_LIFE_SECONDS": "7200",
            "SHIELDWALL_POSTURE_MIN_GROUP": "4",
        }
    )
    rules = campaign_rules(settings)
    assert (rules.by_chain, rules.ipv4_prefix, rules.chain_window) == (
        False,
        16,
        timedelta(hours=1),
    )
    desk = posture_desk(settings, store=None)  # type: ignore[arg-type]
    assert (desk.rules.half_life, desk.min_group) == (timedelta(hours=2), 4)
    with pytest.raises(ConfigError):
        load_settings({"SHIELDWALL_CAMPAIGN_CHAIN_LENGTH": "1"})

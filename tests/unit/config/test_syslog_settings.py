"""Syslog settings: source ranges from TOML or the environment, and the start-up checks."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError

ORG = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True)
NET = st.tuples(st.integers(0, 2**32 - 1), st.integers(8, 32)).map(
    lambda t: ipaddress.ip_network((t[0], t[1]), strict=False)
)


@given(st.lists(st.tuples(NET, ORG), min_size=1, max_size=5))
def test_sources_from_the_environment_read_back(pairs: list[tuple[object, str]]) -> None:
    text = " , ".join(f"{net}={org}" for net, org in pairs)
    settings = load_settings({"SHIELDWALL_SYSLOG_SOURCES": text})
    assert [(s.network, s.org_id) for s in settings.syslog_sources] == pairs


def test_sources_from_toml(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        '[[shieldwall.syslog_sources]]\nnetwork = "2001:db8::/32"\norg_id = "bravo"\n'
    )
    settings = load_settings({"SHIELDWALL_CONFIG": str(config)})
    assert settings.syslog_sources[0].org_id == "bravo"


@pytest.mark.parametrize(
    "value", ["10.0.0.1/8=alpha", "10.0.0.0/8", "10.0.0.0/8=", "nonsense=alpha"]
)
def test_a_bad_range_names_the_setting(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"SHIELDWALL_SYSLOG_SOURCES": value})
    assert "SYSLOG_SOURCES" in str(refused.value)


def test_a_port_needs_ranges_and_tls_needs_its_files() -> None:
    alone = load_settings({"SHIELDWALL_SYSLOG_UDP_PORT": "5514"})
    assert alone.runs_syslog
    with pytest.raises(ConfigError, match="syslog_sources"):
        alone.check_syslog()
    tls = load_settings(
        {"SHIELDWALL_SYSLOG_TLS_PORT": "6514", "SHIELDWALL_SYSLOG_SOURCES": "10.0.0.0/8=a"}
    )
    with pytest.raises(ConfigError, match="syslog_tls_cert_file"):
        tls.check_syslog()
    assert not load_settings({}).runs_syslog

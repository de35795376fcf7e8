"""The delivery worker's wiring: senders from the settings, the relay's password from the
environment only, and settings from ``SHIELDWALL_NOTIFY`` or TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from shieldwall.config.notify import NotifySettings
from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError
from shieldwall.runtime.notify import smtp_relay


def test_settings_come_from_json_in_the_environment(tmp_path: Path) -> None:
    env = {
        "SHIELDWALL_DATA_DIR": str(tmp_path),
        "SHIELDWALL_NOTIFY": '{"max_attempts": 3, "allowed_networks": ["10.1.0.0/16"]}',
    }
    notify = load_settings(env).notify
    assert (notify.max_attempts, notify.allowed_networks) == (3, ("10.1.0.0/16",))
    for bad in ('{"max_attempts": 0}', "not json", '{"allowed_networks": ["nope"]}'):
        with pytest.raises(ConfigError, match="SHIELDWALL_NOTIFY"):
            load_settings({**env, "SHIELDWALL_NOTIFY": bad})


def test_the_relay_password_is_read_from_the_named_variable_and_never_shown() -> None:
    notify = NotifySettings(
        smtp_host="relay.example", smtp_username="centre", smtp_password_env="RELAY_PASSWORD"
    )
    relay = smtp_relay(notify, {"RELAY_PASSWORD": "hunter2-but-longer"})
    assert relay is not None and relay.password is not None
    assert relay.password.reveal() == "hunter2-but-longer"
    assert "hunter2" not in repr(relay) and "hunter2" not in str(relay)
    with pytest.raises(ConfigError, match="unset"):
        smtp_relay(notify, {})
    assert smtp_relay(NotifySettings(), {}) is None
    with pytest.raises(ValueError, match="reserved"):
        NotifySettings(smtp_username="x", smtp_password_env="SHIELDWALL_PASSWORD")

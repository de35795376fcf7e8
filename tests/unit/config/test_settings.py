"""The settings loader: defaults, TOML, environment, and clear errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.config.settings import Settings, load_settings
from shieldwall.model.errors import ConfigError


def test_defaults_give_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"SHIELDWALL_DATA_DIR": str(tmp_path)})
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/shieldwall.db"
    assert settings.bus_url == "embedded"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_environment_overrides_the_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "shieldwall.toml"
    config.write_text('[shieldwall]\nport = 9000\nhost = "127.0.0.2"\n')
    settings = load_settings({"SHIELDWALL_PORT": "9100"}, config)
    assert settings.port == 9100
    assert settings.host == "127.0.0.2"


def test_config_file_can_come_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text('bus_url = "nats://127.0.0.1:4222"\n')
    assert load_settings({"SHIELDWALL_CONFIG": str(config)}).bus_url == "nats://127.0.0.1:4222"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"SHIELDWALL_PORT": "eighty"}, "SHIELDWALL_PORT"),
        ({"SHIELDWALL_PORT": "70000"}, "SHIELDWALL_PORT"),
        ({"SHIELDWALL_DATABASE_URL": "ftp://x"}, "SHIELDWALL_DATABASE_URL"),
        ({"SHIELDWALL_BUS_URL": "kafka://x"}, "SHIELDWALL_BUS_URL"),
        ({"SHIELDWALL_DATABSE_URL": "sqlite:///x.db"}, "SHIELDWALL_DATABSE_URL"),
        ({"SHIELDWALL_SQLITE_SYNCHRONOUS": "NORMAL"}, "SHIELDWALL_SQLITE_SYNCHRONOUS"),
        ({"SHIELDWALL_SQLITE_JOURNAL_MODE": "DELETE"}, "SHIELDWALL_SQLITE_JOURNAL_MODE"),
        (
            {"SHIELDWALL_LOGIN_FAILURES_PER_ACCOUNT": "0"},
            "SHIELDWALL_LOGIN_FAILURES_PER_ACCOUNT",
        ),
    ],
)
def test_bad_settings_name_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert caught.value.key == key
    assert key in str(caught.value)


def test_unsafe_durability_message_says_what_to_change() -> None:
    with pytest.raises(ConfigError, match="set it to FULL"):
        load_settings({"SHIELDWALL_SQLITE_SYNCHRONOUS": "OFF"})


def test_postgres_ignores_sqlite_durability_settings() -> None:
    settings = load_settings(
        {
            "SHIELDWALL_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/db",
            "SHIELDWALL_SQLITE_SYNCHRONOUS": "OFF",
        }
    )
    assert not settings.is_sqlite


def test_unknown_key_in_toml_is_named(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text("prot = 80\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config)
    assert caught.value.key == "prot"


def test_malformed_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text("port = = 1\n")
    with pytest.raises(ConfigError, match=r"s\.toml is not valid TOML"):
        load_settings({}, config)


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings({}, tmp_path / "absent.toml")


def test_test_suite_variables_are_not_settings() -> None:
    settings = load_settings({"SHIELDWALL_TEST_POSTGRES_URL": "x", "SHIELDWALL_CORPUS": "y"})
    assert settings == Settings()


@given(port=st.integers(min_value=-100_000, max_value=100_000))
def test_any_port_is_accepted_iff_in_range(port: int) -> None:
    try:
        settings = load_settings({"SHIELDWALL_PORT": str(port)})
    except ConfigError as exc:
        assert not 1 <= port <= 65535
        assert exc.key == "SHIELDWALL_PORT"
    else:
        assert settings.port == port


@given(
    name=st.text(
        alphabet=st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")) | st.just("_"),
        min_size=1,
        max_size=20,
    ),
    value=st.text(max_size=20),
)
def test_any_unknown_variable_is_refused_by_name(name: str, value: str) -> None:
    key = "SHIELDWALL_" + name
    known = {"SHIELDWALL_" + field.upper() for field in Settings.model_fields}
    reserved = ("SHIELDWALL_TEST_", "SHIELDWALL_CORPUS", "SHIELDWALL_CONFIG")
    if key in known or key.startswith(reserved):
        return
    with pytest.raises(ConfigError) as caught:
        load_settings({key: value})
    assert caught.value.key == key


@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "port": st.integers(1, 65535),
            "host": st.sampled_from(["127.0.0.1", "::1", "localhost"]),
            "audit_checkpoint_every": st.integers(1, 1_000_000),
            "log_level": st.sampled_from(["DEBUG", "INFO", "WARNING", "ERROR"]),
        },
    )
)
def test_valid_environment_values_round_trip(values: dict[str, object]) -> None:
    env = {"SHIELDWALL_" + key.upper(): str(value) for key, value in values.items()}
    settings = load_settings(env)
    for key, value in values.items():
        assert getattr(settings, key) == value

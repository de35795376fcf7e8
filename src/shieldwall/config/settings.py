"""One typed settings object, loaded once at start-up and passed down.

Sources, lowest precedence first: defaults, an optional TOML file (``SHIELDWALL_CONFIG`` or
``--config``), then ``SHIELDWALL_*`` environment variables. Every problem is reported as a
:class:`~shieldwall.model.errors.ConfigError` naming the exact key (``SHIELDWALL_PORT`` or
``port`` in the TOML file), and unknown keys are refused: a misspelt setting that silently
falls back to a default is how a production system ends up on the wrong database.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shieldwall.config.cases import SlaMinutes
from shieldwall.config.notify import NotifySettings, parse_notify
from shieldwall.config.playbooks import PlaybookEndpoint
from shieldwall.config.syslog import SyslogSource, parse_sources
from shieldwall.config.taxii import TaxiiFeed, TaxiiPartner, TaxiiRemote, unique_names
from shieldwall.model.errors import ConfigError

ENV_PREFIX = "SHIELDWALL_"
CONFIG_ENV = "SHIELDWALL_CONFIG"
IGNORED_ENV_PREFIXES = ("SHIELDWALL_TEST_", "SHIELDWALL_CORPUS")
"""Variables used by the test suite and benchmarks, not by the service."""

SAFE_SYNCHRONOUS = ("FULL", "EXTRA")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class Settings(BaseModel):
    """Everything a Shieldwall process needs to know about its environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="Database, keys and state live here.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file shieldwall.db in data_dir.",
    )
    bus_url: str = Field(default="embedded", description="'embedded' or nats://host:port.")
    host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    port: int = Field(default=8000, ge=1, le=65535)
    sqlite_journal_mode: Literal["WAL", "DELETE", "TRUNCATE", "PERSIST", "MEMORY", "OFF"] = "WAL"
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = "FULL"
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)
    audit_checkpoint_every: int = Field(default=1000, ge=1, le=1_000_000)
    bus_namespace: str = Field(
        default="",
        pattern=r"^$|^[a-z0-9][a-z0-9-]{0,31}$",
        description="Prefix of every bus subject, so deployments can share one NATS cluster.",
    )
    live_rules: tuple[Path, ...] = Field(
        default=(),
        description="Sigma rule files or folders the centre's live detection runs (from the"
        " environment separated like PATH); none: telemetry is accepted and kept on the bus,"
        " but no alert is raised.",
    )
    live_detect: bool = Field(
        default=False,
        description="Run the detect worker in `shieldwall up` even without `live_rules`, on"
        " the rules managed through `shieldwall rules` and /api/v1/rules alone.",
    )
    rules_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=300,
        description="How often a detect worker asks whether the managed rule sets changed.",
    )
    alert_dedup_seconds: int = Field(
        default=3600,
        ge=0,
        le=30 * 86400,
        description="Matches of one rule on one member's host and user within a window of"
        " this many seconds are counted on one alert; 0 keeps every match apart.",
    )
    fuse_window_seconds: int = Field(
        default=3600,
        ge=1,
        le=30 * 86400,
        description="Alerts of one member sharing a host, user or observable this close in"
        " time are one incident (docs/operations.md, incidents).",
    )
    fuse_by_host: bool = Field(default=True, description="Group alerts on the same host.")
    fuse_by_user: bool = Field(default=True, description="Group alerts on the same user.")
    fuse_by_observable: bool = Field(
        default=True, description="Group alerts on the same IP, hash or domain."
    )
    campaign_by_network: bool = Field(
        default=True, description="Link members' incidents by public IPs in one network."
    )
    campaign_ipv4_prefix: int = Field(default=24, ge=8, le=32)
    campaign_ipv6_prefix: int = Field(default=48, ge=16, le=128)
    campaign_by_registered_domain: bool = Field(
        default=True, description="Link members' incidents by domains under one registered domain."
    )
    campaign_by_url_host: bool = Field(
        default=True, description="Link members' incidents by the host of URLs in the events."
    )
    campaign_by_chain: bool = Field(
        default=True, description="Link members' incidents by the same ATT&CK technique chain."
    )
    campaign_chain_length: int = Field(default=3, ge=2, le=10)
    campaign_chain_window_seconds: int = Field(default=7 * 86400, ge=60, le=365 * 86400)
    posture_half_life_seconds: int = Field(
        default=86400, ge=60, le=365 * 86400, description="Posture signals halve this often."
    )
    posture_thresholds: tuple[float, float, float, float] = Field(
        default=(2.0, 8.0, 20.0, 40.0),
        description="Scores from which a member stands at guarded, elevated, high, severe.",
    )

    @field_validator("posture_thresholds", mode="before")
    @classmethod
    def _thresholds(cls, value: Any) -> Any:
        """From the environment, four scores separated by commas (``2,8,20,40``), rising."""
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(","))
        if isinstance(value, (tuple, list)):
            numbers = [float(part) for part in value]
            if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
                raise ValueError("the four thresholds must rise")
        return value

    posture_min_group: int = Field(
        default=3,
        ge=2,
        le=1000,
        description="Members a sector or the coalition needs before a member sees its level.",
    )
    posture_every_seconds: int = Field(default=60, ge=1, le=86400)
    stream_poll_seconds: float = Field(default=0.5, ge=0.05, le=60)
    stream_heartbeat_seconds: float = Field(default=15, ge=0.1, le=300)
    stream_max_seconds: float = Field(
        default=600,
        ge=0.1,
        le=86400,
        description="A live stream ends after this long; the client resumes from its last id.",
    )
    validation_workers: int = Field(
        default=1,
        ge=0,
        le=64,
        description="Processes that validate costly STIX writes away from the API's threads;"
        " 0 validates in the API process.",
    )
    token_ttl_days: int = Field(default=90, ge=1, le=3650)
    login_failures_per_account: int = Field(
        default=5, ge=1, le=1000, description="Failed logins for one e-mail in 15 min before 429."
    )
    ingest_rate_per_member: float = Field(
        default=20_000,
        ge=0,
        le=10_000_000,
        description="Records a second each member may send (HTTP and syslog together), a"
        " token bucket; over it: 429 with Retry-After. 0 turns the rate off.",
    )
    ingest_burst_per_member: int = Field(
        default=40_000,
        ge=1,
        le=100_000_000,
        description="Records a member may send at once above its rate (the bucket's size).",
    )
    ingest_max_in_flight: int = Field(
        default=200_000,
        ge=0,
        le=100_000_000,
        description="Records this process may hold on their way to the bus; past it, new"
        " batches get 429 (back-pressure) instead of growing memory. 0 turns it off.",
    )
    ingest_max_backlog: int = Field(
        default=1_000_000,
        ge=0,
        le=1_000_000_000,
        description="Events the detect consumer may be behind before ingest answers 429"
        " (back-pressure from a slow or stopped detect stage). 0 turns it off.",
    )
    syslog_host: str = Field(default="127.0.0.1", description="Address syslog listens on.")
    syslog_udp_port: int | None = Field(default=None, ge=0, le=65535)
    syslog_tcp_port: int | None = Field(default=None, ge=0, le=65535)
    syslog_tls_port: int | None = Field(default=None, ge=0, le=65535)
    syslog_tls_cert_file: Path | None = Field(default=None, description="PEM chain for TLS.")
    syslog_tls_key_file: Path | None = Field(default=None, description="PEM key for TLS.")
    syslog_sources: tuple[SyslogSource, ...] = Field(
        default=(), description="Sender address ranges and the member each belongs to."
    )
    syslog_max_message_bytes: int = Field(default=65_536, ge=480, le=256 << 10)
    login_failures_per_address: int = Field(
        default=30,
        ge=0,
        le=100_000,
        description="Failed logins from one client address in 15 min before 429; 0 turns the"
        " address limit off (behind a reverse proxy every client shares its address).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    tls_cert_file: Path | None = Field(
        default=None, description="PEM certificate chain: with tls_key_file, serve HTTPS only."
    )
    tls_key_file: Path | None = Field(default=None, description="PEM private key for HTTPS.")
    taxii_feeds: tuple[TaxiiFeed, ...] = Field(
        default=(), description="Remote TAXII 2.1 collections pulled on a schedule."
    )
    taxii_partners: tuple[TaxiiPartner, ...] = Field(
        default=(), description="Partner TAXII 2.1 collections objects are pushed to."
    )
    case_sla_minutes: SlaMinutes = Field(
        default_factory=dict,
        description="Minutes to containment by case severity (critical=60,high=240,...);"
        " a severity not named keeps its default (docs/cases.md).",
    )
    case_evidence_max_bytes: int = Field(
        default=1_048_576,
        ge=1,
        le=1_073_741_824,
        description="Largest evidence file a case keeps; over it: 413 naming this setting."
        " Uploads through the API are also bounded by max_body_bytes.",
    )
    notify: NotifySettings = Field(
        default_factory=NotifySettings,
        description="Notifications: retries, webhook egress, SMTP relay (config/notify.py).",
    )

    @field_validator("notify", mode="before")
    @classmethod
    def _notify(cls, value: Any) -> Any:
        """From the environment, ``SHIELDWALL_NOTIFY`` holds the table as JSON."""
        return parse_notify(value)

    playbook_endpoints: tuple[PlaybookEndpoint, ...] = Field(
        default=(), description="Outside HTTP APIs playbooks may call (CACAO http-api)."
    )
    playbooks_require_signature: bool = Field(
        default=False,
        description="Import only playbooks with a CACAO signature that holds (docs/playbooks.md).",
    )
    playbooks_trusted_signers: tuple[Path, ...] = Field(
        default=(),
        description="PEM public keys or certificates whose signatures are believed; when set,"
        " a playbook imports only with a valid signature by one of them.",
    )

    @field_validator("live_rules", "playbooks_trusted_signers", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> Any:
        """From the environment, a list of paths separated like PATH (``a.yml:rules/``)."""
        if isinstance(value, str):
            return tuple(Path(part) for part in value.split(os.pathsep) if part.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:", "sqlite+pysqlite:", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("taxii_feeds", "taxii_partners")
    @classmethod
    def _unique_remote_names(cls, value: tuple[TaxiiRemote, ...]) -> tuple[TaxiiRemote, ...]:
        unique_names(value)
        return value

    @field_validator("syslog_sources", mode="before")
    @classmethod
    def _syslog_sources(cls, value: Any) -> Any:
        return parse_sources(value)

    @field_validator("bus_url")
    @classmethod
    def _known_bus(cls, value: str) -> str:
        if value != "embedded" and not value.startswith("nats://"):
            raise ValueError("must be 'embedded' or a nats://host:port URL")
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'shieldwall.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        """True when the store is the embedded SQLite file."""
        return self.effective_database_url.startswith("sqlite")

    @property
    def serves_tls(self) -> bool:
        """True when a certificate and key are configured (the API then speaks HTTPS only)."""
        return self.tls_cert_file is not None and self.tls_key_file is not None

    def check_transport(self) -> None:
        """Refuse plain HTTP on anything but loopback, and half a TLS configuration."""
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ConfigError(
                "SHIELDWALL_TLS_KEY_FILE", "set both tls_cert_file and tls_key_file, or neither"
            )
        if not self.serves_tls and self.host not in LOOPBACK_HOSTS:
            raise ConfigError(
                "SHIELDWALL_HOST",
                f"is {self.host} without TLS; set tls_cert_file and tls_key_file "
                "(plain HTTP is served on loopback only)",
            )

    @property
    def runs_syslog(self) -> bool:
        """A syslog port is configured."""
        ports = (self.syslog_udp_port, self.syslog_tcp_port, self.syslog_tls_port)
        return any(port is not None for port in ports)

    def check_syslog(self) -> None:
        """Refuse a syslog listener that could attribute nothing or serve TLS without keys."""
        if not self.runs_syslog:
            return
        if not self.syslog_sources:
            raise ConfigError("syslog_sources", "a syslog port is set but no source range is")
        keys = (self.syslog_tls_cert_file, self.syslog_tls_key_file)
        if self.syslog_tls_port is not None and None in keys:
            raise ConfigError(
                "syslog_tls_cert_file", "syslog_tls_port needs a certificate and a key file"
            )

    def check_durability(self) -> None:
        """Refuse settings under which an acknowledged write could be lost on a crash."""
        if not self.is_sqlite:
            return
        if self.sqlite_journal_mode != "WAL":
            raise ConfigError(
                "SHIELDWALL_SQLITE_JOURNAL_MODE",
                f"is {self.sqlite_journal_mode}; set it to WAL (or unset it): other journal "
                "modes block readers during writes and are not supported",
            )
        if self.sqlite_synchronous not in SAFE_SYNCHRONOUS:
            raise ConfigError(
                "SHIELDWALL_SQLITE_SYNCHRONOUS",
                f"is {self.sqlite_synchronous}; set it to FULL (or unset it): with "
                f"{self.sqlite_synchronous} an acknowledged write can be lost on power failure",
            )


def _env_key(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    known = {_env_key(name): name for name in Settings.model_fields}
    values: dict[str, Any] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV:
            continue
        if key.startswith(IGNORED_ENV_PREFIXES):
            continue
        if key not in known:
            raise ConfigError(key, f"unknown setting; known: {', '.join(sorted(known))}")
        values[known[key]] = value
    return values


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(CONFIG_ENV, f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(CONFIG_ENV, f"{path} is not valid TOML: {exc}") from exc
    section = data.get("shieldwall", data)
    if not isinstance(section, dict):
        raise ConfigError("shieldwall", f"{path}: [shieldwall] must be a table")
    return section


def _nested_place(loc: tuple[int | str, ...]) -> str:
    """``[0].url`` for an error inside a list of tables such as ``taxii_feeds``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def load_settings(env: Mapping[str, str], config_file: Path | None = None) -> Settings:
    """Build and validate the settings; raise ConfigError naming the first bad key."""
    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    file_values = _from_toml(path) if path else {}
    env_values = _from_env(env)
    try:
        settings = Settings.model_validate({**file_values, **env_values})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        key = _env_key(name) if name in env_values or name not in file_values else name
        raise ConfigError(key + _nested_place(error["loc"][1:]), error["msg"]) from exc
    settings.check_durability()
    return settings

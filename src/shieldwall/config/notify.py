"""Settings of the notification desk: retries, the webhook egress guard, the SMTP relay.

One table, ``[shieldwall.notify]`` in the TOML file, or ``SHIELDWALL_NOTIFY`` holding the
same as a JSON object. The SMTP password is never a setting: ``smtp_password_env`` names
the environment variable that holds it, so it appears in no file, log or answer.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shieldwall.config.taxii import ENV_NAME, RESERVED_ENV_PREFIX


class NotifySettings(BaseModel):
    """How notifications leave: attempts, backoff, where webhooks may go, which relay."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    worker: bool = Field(default=True, description="Run the delivery worker in `shieldwall up`.")
    max_attempts: int = Field(default=6, ge=1, le=100, description="Attempts before a dead letter.")
    backoff_seconds: float = Field(
        default=2.0, gt=0, le=3600, description="Wait after the first failure; doubled each time."
    )
    backoff_max_seconds: float = Field(default=600.0, gt=0, le=86_400)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="Per attempt.")
    poll_seconds: float = Field(default=1.0, gt=0, le=60, description="Outbox polling period.")
    replay_window_seconds: int = Field(
        default=300, ge=30, le=3600, description="Receivers refuse older timestamps."
    )
    allow_private_addresses: bool = Field(
        default=False,
        description="Webhooks to loopback and private ranges (labs and tests only).",
    )
    allowed_networks: tuple[str, ...] = Field(
        default=(), max_length=64, description="Networks (CIDR) webhooks may reach whatever kind."
    )
    smtp_host: str = Field(default="", max_length=253, description="Relay; empty: no e-mail.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = Field(default=True, description="STARTTLS before authenticating.")
    smtp_username: str = Field(default="", max_length=254)
    smtp_password_env: str = Field(default="", description="Variable holding the password.")
    smtp_from: str = Field(default="shieldwall@localhost", max_length=254)

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ValueError(f"{network!r} is not an IP network (CIDR)") from exc
        return value

    @field_validator("smtp_password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if value and not ENV_NAME.match(value):
            raise ValueError("must be an environment variable name")
        if value.upper().startswith(RESERVED_ENV_PREFIX):
            raise ValueError(f"must not start with {RESERVED_ENV_PREFIX} (reserved for settings)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> NotifySettings:
        if self.backoff_max_seconds < self.backoff_seconds:
            raise ValueError("backoff_max_seconds is below backoff_seconds")
        if self.smtp_password_env and not self.smtp_username:
            raise ValueError("smtp_password_env needs smtp_username")
        return self


def parse_notify(value: Any) -> Any:
    """From the environment, the table as a JSON object."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not a JSON object: {exc.msg}") from exc
    return value

"""Outside HTTP APIs that playbooks may call (CACAO ``http-api`` commands).

A playbook's ``http-api`` agent must name a URL under one of these endpoints, or the
playbook is refused at import. Secrets never sit in the file: ``token_env`` names the
environment variable holding a bearer token. Example::

    [[shieldwall.playbook_endpoints]]
    name = "firewall"
    url = "https://fw.example.org/api"
    token_env = "FW_API_TOKEN"
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shieldwall.config.taxii import ENV_NAME, NAME_PATTERN


class PlaybookEndpoint(BaseModel):
    """One outside API: its base URL, how to authenticate, how long to wait."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN, description="Short name used in logs.")
    url: str = Field(description="Base URL: https://host[:port]/path, no credentials or query.")
    token_env: str = ""
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    allow_private_addresses: bool = Field(
        default=False, description="Allow loopback and private targets (labs and tests only)."
    )

    @field_validator("url")
    @classmethod
    def _plain_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("must carry no credentials, query or fragment")
        return value

    @field_validator("token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if value and not ENV_NAME.match(value):
            raise ValueError("must be an environment variable name")
        return value

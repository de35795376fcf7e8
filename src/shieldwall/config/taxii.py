"""Remote TAXII 2.1 servers the operator configured: feeds to pull, partners to push to.

Each remote is named once in the TOML file (``[[shieldwall.taxii_feeds]]`` or
``[[shieldwall.taxii_partners]]``). Secrets never sit in the file: a remote names the
environment variables that hold them (``token_env``, ``username_env``/``password_env``), so
the file can be shared, reviewed and logged. The URL is the only address the client ever
contacts for that remote; it must not carry credentials, a query or a fragment.

Example::

    [[shieldwall.taxii_feeds]]
    name = "cert-eu"
    url = "https://taxii.example.org"
    api_root = "/api1/"
    collection_id = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
    auth = "bearer"
    token_env = "CERT_EU_TAXII_TOKEN"
    interval_seconds = 900
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
RESERVED_ENV_PREFIX = "SHIELDWALL_"
"""Settings variables; a secret named like one would be refused as an unknown setting."""

TlpCeiling = Literal["clear", "green", "amber", "amber+strict"]
"""The highest TLP a partner may receive; TLP:RED never goes to an organisation-level channel."""


class TaxiiRemote(BaseModel):
    """What every remote TAXII server needs: where it is, how to authenticate, how hard to hit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN, description="Short name used in logs and state.")
    url: str = Field(description="Origin of the server: scheme://host[:port], nothing else.")
    api_root: str = Field(default="/", description="Path of the API root, e.g. /api1/.")
    collection_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    auth: Literal["none", "basic", "bearer"] = "none"
    username_env: str = ""
    password_env: str = ""
    token_env: str = ""
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    requests_per_second: float = Field(default=2.0, gt=0, le=100)
    allow_private_addresses: bool = Field(
        default=False,
        description=(
            "Allow loopback and private targets (labs and tests only). Link-local and cloud "
            "metadata addresses stay refused unless named in allowed_networks."
        ),
    )
    allowed_networks: tuple[str, ...] = Field(
        default=(),
        max_length=64,
        description="Networks (CIDR) contacted whatever their kind, e.g. a link-local lab host.",
    )
    allow_plain_http: bool = Field(
        default=False, description="Allow http:// (credentials then cross the wire in clear)."
    )

    @field_validator("url")
    @classmethod
    def _origin_only(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s)://host[:port] origin")
        if parts.username is not None or parts.password is not None:
            raise ValueError("must not carry credentials; name an environment variable instead")
        if parts.query or parts.fragment or parts.path not in ("", "/"):
            raise ValueError("must be an origin only; put the path in api_root")
        _ = parts.port  # raises ValueError on a malformed port
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("api_root")
    @classmethod
    def _path_only(cls, value: str) -> str:
        if not value.startswith("/") or "//" in value or "?" in value or "#" in value:
            raise ValueError("must be an absolute path such as /api1/")
        if any(part in (".", "..") for part in value.split("/")):
            raise ValueError("must not contain . or .. segments")
        return value if value.endswith("/") else value + "/"

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ValueError(f"{network!r} is not an IP network (CIDR)") from exc
        return value

    @field_validator("username_env", "password_env", "token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if value and not ENV_NAME.match(value):
            raise ValueError("must be an environment variable name")
        if value.upper().startswith(RESERVED_ENV_PREFIX):
            raise ValueError(f"must not start with {RESERVED_ENV_PREFIX} (reserved for settings)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TaxiiRemote:
        if self.auth == "basic" and not (self.username_env and self.password_env):
            raise ValueError(f"{self.name}: basic auth needs username_env and password_env")
        if self.auth == "bearer" and not self.token_env:
            raise ValueError(f"{self.name}: bearer auth needs token_env")
        if self.url.startswith("http://") and not self.allow_plain_http:
            raise ValueError(f"{self.name}: http:// needs allow_plain_http = true")
        return self


TlpDefault = Literal["clear", "green", "amber", "amber+strict", "red"]
"""The marking given to pulled objects that carry none."""

ORG_ID_PATTERN = r"^$|^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"


class TaxiiFeed(TaxiiRemote):
    """A remote collection pulled on a schedule into the intelligence store.

    ``organisation`` is the member that receives what the feed brings: it is recorded as
    the producer in the store and the gate applies its audience rules; the objects keep
    their own ``created_by_ref``. ``unmarked_tlp`` is the TLP given to pulled objects that
    carry no marking (unset: the receiving organisation's default, TLP:AMBER+STRICT).
    """

    organisation: str = Field(
        default="", pattern=ORG_ID_PATTERN, description="Member receiving the pulled objects."
    )
    unmarked_tlp: TlpDefault | None = None

    interval_seconds: int = Field(default=3600, ge=1, le=7 * 86400)
    page_size: int = Field(default=1000, ge=1, le=10_000)
    max_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, le=1024**3, description="Cap on one response body."
    )
    max_objects_per_run: int = Field(default=100_000, ge=1, le=10_000_000)


class TaxiiPartner(TaxiiRemote):
    """A partner collection objects are pushed (POSTed) to.

    ``organisation`` is the member the partner stands for: a push sends what that
    organisation may receive now (its viewer), within ``max_tlp``.
    """

    organisation: str = Field(
        default="", pattern=ORG_ID_PATTERN, description="Member the partner stands for."
    )

    max_tlp: TlpCeiling = "green"
    objects_per_request: int = Field(default=500, ge=1, le=10_000)
    max_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024**2)
    status_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    status_poll_seconds: float = Field(default=2.0, gt=0, le=300)


def unique_names(remotes: tuple[TaxiiRemote, ...]) -> tuple[TaxiiRemote, ...]:
    """Refuse two remotes of one kind with the same name (state is keyed by it)."""
    seen: set[str] = set()
    for remote in remotes:
        if remote.name in seen:
            raise ValueError(f"name {remote.name!r} is used twice")
        seen.add(remote.name)
    return remotes

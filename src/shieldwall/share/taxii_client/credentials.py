"""Credentials for a remote, read from the environment variables the settings name.

The values live only inside the :class:`httpx.Auth` objects built here; their ``repr`` is
redacted and nothing here logs or formats them, so a credential can reach a log or an error
message only by being sent to us by the remote itself.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping

import httpx

from shieldwall.config.taxii import TaxiiRemote
from shieldwall.model.errors import ConfigError


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``, with a redacted repr."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"


class RedactedBasicAuth(httpx.BasicAuth):
    """HTTP basic authentication with a redacted repr."""

    def __repr__(self) -> str:
        return "BasicAuth(<redacted>)"


def _secret(env: Mapping[str, str], name: str, remote: TaxiiRemote) -> str:
    value = env.get(name, "")
    if not value:
        raise ConfigError(name, f"environment variable for {remote.name} is unset or empty")
    return value


def auth_for(remote: TaxiiRemote, env: Mapping[str, str]) -> httpx.Auth | None:
    """The authentication the remote is configured with; ConfigError names a missing variable."""
    if remote.auth == "bearer":
        return BearerAuth(_secret(env, remote.token_env, remote))
    if remote.auth == "basic":
        return RedactedBasicAuth(
            _secret(env, remote.username_env, remote), _secret(env, remote.password_env, remote)
        )
    return None

"""Only the addresses the operator configured are ever contacted (no SSRF).

Two checks, at two levels:

- :func:`check_same_origin`: every URL the client is about to request (a redirect
  ``Location``, a ``next`` that looks like a link) must have exactly the configured scheme,
  host and port; anything else is refused, never followed.
- :class:`GuardedBackend`: the socket layer resolves the host itself, refuses every address
  that is not public (:func:`refusal`), and connects to the address it checked.
  ``allow_private_addresses`` opens loopback and private ranges for labs, never link-local
  or cloud metadata addresses (where an instance's credentials live): those only when the
  operator names their network in ``allowed_networks``. Checking at connect time (not once
  up front) closes the DNS-rebinding gap where a name resolves to a public address for the
  check and to an internal one for the connection. TLS still verifies the configured
  host name: httpcore passes the origin's host as SNI whatever address the socket uses.

The address rule itself is the policy's (:mod:`shieldwall.policy.addresses`), shared with
the webhooks of :mod:`shieldwall.respond.notify`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from shieldwall.policy.addresses import METADATA_ADDRESSES, IpAddress, IpNetwork, is_public, refusal
from shieldwall.share.taxii_client.errors import RefusedTargetError

__all__ = [
    "METADATA_ADDRESSES",
    "GuardedBackend",
    "GuardedTransport",
    "IpAddress",
    "IpNetwork",
    "Resolver",
    "check_same_origin",
    "is_public",
    "refusal",
]

Resolver = Callable[..., list[tuple[Any, ...]]]


def check_same_origin(url: httpx.URL, configured: httpx.URL, *, remote: str, place: str) -> None:
    """Refuse a URL whose scheme, host or port differs from the configured server's."""
    if (url.scheme, url.host, url.port) != (configured.scheme, configured.host, configured.port):
        raise RefusedTargetError(
            f"refused to follow {url.scheme}://{url.host}{_port(url)}: only "
            f"{configured.scheme}://{configured.host}{_port(configured)} is configured",
            remote=remote,
            place=place,
        )


def _port(url: httpx.URL) -> str:
    return f":{url.port}" if url.port is not None else ""


class GuardedBackend(httpcore.SyncBackend):
    """A socket backend that refuses non-public addresses unless they are allowed."""

    def __init__(
        self,
        *,
        remote: str,
        allow_private: bool,
        named: tuple[IpNetwork, ...] = (),
        resolve: Resolver = socket.getaddrinfo,
    ) -> None:
        self._remote = remote
        self._allow_private = allow_private
        self._named = named
        self._resolve = resolve

    def _addresses(self, host: str, port: int) -> list[IpAddress]:
        try:
            infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Resolve, check every address, then connect to the first checked one."""
        addresses = self._addresses(host, port)
        for address in addresses:
            reason = refusal(address, allow_private=self._allow_private, named=self._named)
            if reason is not None:
                raise RefusedTargetError(
                    f"refused to connect: {host} resolves to {address}, {reason} "
                    "(allow_private_addresses opens private ranges for labs; name any other "
                    "network in allowed_networks)",
                    remote=self._remote,
                    place=f"connect {host}:{port}",
                )
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        return super().connect_tcp(str(addresses[0]), port, timeout, local_address, socket_options)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool built on :class:`GuardedBackend`.

    httpx does not expose the network backend, so the pool is rebuilt here with the same
    settings; ``trust_env`` is off so proxies, netrc and CA variables from the environment
    cannot redirect or authenticate requests behind the operator's back.
    """

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )

"""Webhooks: a signed JSON POST to the member's receiver, only to addresses the guard allows.

The socket layer resolves the receiver's host itself and checks every address with the
policy's address rule (:mod:`shieldwall.policy.addresses`) before connecting to the one it
checked, so a member cannot point a webhook at the centre's own network or a cloud
metadata service, not even through a name that rebinds (no SSRF). Redirects are never
followed; any answer but 2xx is a failed attempt, retried later by the worker.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import orjson

from shieldwall.policy import IpAddress, IpNetwork, refusal
from shieldwall.respond.notify.senders import DeliveryFailedError, Job, payload
from shieldwall.respond.notify.signing import signed_headers


class RefusedAddressError(httpcore.ConnectError):
    """The receiver resolves to an address the guard refuses."""


class GuardedAsyncBackend(httpcore.AnyIOBackend):
    """An async socket backend that connects only to addresses the guard allows."""

    def __init__(self, *, allow_private: bool, named: tuple[IpNetwork, ...] = ()) -> None:
        super().__init__()
        self._allow_private = allow_private
        self._named = named

    async def _addresses(self, host: str, port: int) -> list[IpAddress]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError("cannot resolve the receiver's host") from exc
        return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, check every address, then connect to the first checked one."""
        addresses = await self._addresses(host, port)
        for address in addresses:
            reason = refusal(address, allow_private=self._allow_private, named=self._named)
            if reason is not None:
                raise RefusedAddressError(f"refused: the receiver resolves to {reason}")
        if not addresses:
            raise httpcore.ConnectError("the receiver's host has no address")
        return await super().connect_tcp(
            str(addresses[0]), port, timeout, local_address, socket_options
        )


class WebhookSender:
    """Posts signed notifications to webhooks.

    It speaks httpcore directly, under httpx: httpx logs every request's full URL, and the
    path of many receivers' URLs is a credential. httpcore's own trace names the host and
    port only.
    """

    def __init__(
        self, *, timeout: float, allow_private: bool, named: tuple[IpNetwork, ...] = ()
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(),
            max_connections=20,
            max_keepalive_connections=5,
            network_backend=GuardedAsyncBackend(allow_private=allow_private, named=named),
        )
        self._timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}

    async def send(self, job: Job) -> None:
        """One signed POST; DeliveryFailedError unless the receiver answers 2xx."""
        if job.secret is None:
            raise DeliveryFailedError("the channel has no signing key")
        body = orjson.dumps(payload(job))
        headers = signed_headers(job.secret.reveal(), body, int(time.time()), job.delivery.key)
        headers["User-Agent"] = "shieldwall-notify"
        try:
            status = await self._post(job.channel.target, headers, body)
        except RefusedAddressError as exc:
            raise DeliveryFailedError(str(exc)) from None
        except httpcore.TimeoutException:
            raise DeliveryFailedError("timed out") from None
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise DeliveryFailedError(f"network error ({type(exc).__name__})") from None
        if not 200 <= status < 300:
            raise DeliveryFailedError(f"the receiver answered HTTP {status}")

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> int:
        """POST and take the status only: the answer's body is never read (a receiver
        cannot make the worker hold a large one)."""
        async with self._pool.stream(
            "POST",
            url,
            headers=list(headers.items()),
            content=body,
            extensions={"timeout": self._timeouts},
        ) as answer:
            return int(answer.status)

    async def close(self) -> None:
        """Release the connection pool."""
        await self._pool.aclose()

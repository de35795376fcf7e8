"""HTTP to one remote TAXII 2.1 server, with every limit explicit.

Why httpx and not ``taxii2-client``: the OASIS client follows redirects wherever they go
(through ``requests``), reads whole bodies into memory before any size check, takes proxy
and netrc settings from the environment and has no hook for the socket layer. Each of those
is a way for a remote to make us fetch or hold what the operator did not configure. With
httpx we set: no automatic redirects (same-origin ones are followed here, at most
:data:`MAX_REDIRECTS`), ``trust_env=False``, explicit timeouts and pool limits, streamed
bodies cut at ``max_bytes``, a pacing limiter, and a guarded socket backend
(:mod:`.guard`). The OASIS client remains our yardstick for the *server* side.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from shieldwall.config.taxii import TaxiiRemote
from shieldwall.share.taxii_client.credentials import auth_for
from shieldwall.share.taxii_client.errors import RefusedTargetError, RemoteError
from shieldwall.share.taxii_client.guard import (
    GuardedBackend,
    GuardedTransport,
    Resolver,
    check_same_origin,
)
from shieldwall.share.taxii_client.ratelimit import RateLimiter

log = logging.getLogger(__name__)

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
MAX_REDIRECTS = 3
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
LIMITS = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=30)


def resource_path(*segments: str, remote: str) -> str:
    """A path under the API root made of these segments, each one escaped whole.

    Ids that reach a URL come from configuration or from the remote itself (a status id),
    so none may add a segment, climb out of the API root (``..``) or carry a query: every
    character outside the unreserved set is percent-encoded, ``/`` included, and a segment
    that is empty, ``.`` or ``..`` is refused.
    """
    for segment in segments:
        if segment in ("", ".", ".."):
            raise RefusedTargetError(
                f"{segment!r} cannot name a resource", remote=remote, place="path"
            )
    return "".join(quote(segment, safe="") + "/" for segment in segments)


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete, size-checked response."""

    status_code: int
    headers: httpx.Headers
    body: bytes
    place: str


class TaxiiHttp:
    """Requests to one configured remote; nothing else is ever contacted."""

    def __init__(
        self,
        remote: TaxiiRemote,
        *,
        env: Mapping[str, str],
        max_bytes: int,
        limiter: RateLimiter | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        self.remote = remote
        self.base = httpx.URL(remote.url + remote.api_root)
        self._max_bytes = max_bytes
        self._limiter = limiter or RateLimiter(remote.requests_per_second)
        backend = GuardedBackend(
            remote=remote.name,
            allow_private=remote.allow_private_addresses,
            named=tuple(ipaddress.ip_network(n, strict=False) for n in remote.allowed_networks),
            **_resolver(resolve),
        )
        self._client = httpx.Client(
            auth=auth_for(remote, env),
            transport=GuardedTransport(backend, LIMITS),
            timeout=httpx.Timeout(remote.timeout_seconds),
            follow_redirects=False,
            trust_env=False,
            headers={"Accept": TAXII_MEDIA_TYPE, "User-Agent": "shieldwall-taxii-client"},
        )

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def url(self, path: str) -> httpx.URL:
        """A URL under the API root."""
        return self.base.join(path)

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Reply:
        """GET a resource under the API root."""
        return self.send("GET", self.url(path).copy_merge_params(dict(params or {})))

    def post(self, path: str, body: bytes) -> Reply:
        """POST a TAXII envelope under the API root."""
        return self.send("POST", self.url(path), body)

    def send(self, method: str, url: httpx.URL, body: bytes | None = None) -> Reply:
        """Send, following same-origin redirects only; refuse anything else."""
        place = f"{method} {url.path}"
        for _ in range(MAX_REDIRECTS + 1):
            check_same_origin(url, self.base, remote=self.remote.name, place=place)
            reply = self._send_once(method, url, body, place)
            if reply.status_code not in REDIRECT_CODES:
                return _checked(reply, self.remote.name)
            url = url.join(reply.headers.get("Location", ""))
        raise RemoteError(
            f"more than {MAX_REDIRECTS} redirects", remote=self.remote.name, place=place
        )

    def _send_once(self, method: str, url: httpx.URL, body: bytes | None, place: str) -> Reply:
        self._limiter.wait()
        headers = {"Content-Type": TAXII_MEDIA_TYPE} if body is not None else {}
        try:
            with self._client.stream(method, url, content=body, headers=headers) as response:
                data = self._read_capped(response, place)
                return Reply(response.status_code, response.headers, data, place)
        except httpx.TimeoutException as exc:
            reason = f"timed out ({type(exc).__name__}, limit {self.remote.timeout_seconds}s)"
            raise RemoteError(reason, remote=self.remote.name, place=place) from exc
        except httpx.HTTPError as exc:
            reason = f"request failed: {type(exc).__name__}"
            raise RemoteError(reason, remote=self.remote.name, place=place) from exc

    def _read_capped(self, response: httpx.Response, place: str) -> bytes:
        """Read the body while streaming; stop as soon as it passes ``max_bytes``."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_big(place)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise self._too_big(place)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self, place: str) -> RemoteError:
        reason = f"response body larger than max_bytes={self._max_bytes}; not read further"
        return RemoteError(reason, remote=self.remote.name, place=place)


def _resolver(resolve: Resolver | None) -> dict[str, Resolver]:
    return {"resolve": resolve} if resolve is not None else {}


def _checked(reply: Reply, remote: str) -> Reply:
    """Turn an error status into a RemoteError (with Retry-After for 429 and 503)."""
    if reply.status_code < 400:
        return reply
    retry = reply.headers.get("Retry-After", "")
    retry_after = float(retry) if retry.isdigit() else None
    reason = f"HTTP {reply.status_code}"
    raise RemoteError(reason, remote=remote, place=reply.place, retry_after=retry_after)

"""Errors of the TAXII client, under the one tree of :mod:`shieldwall.model.errors`::

    ShieldwallError
    ├── InputError        the remote sent something malformed (names feed and place)
    └── RemoteError       the remote failed, timed out, or answered with an error status
        └── RefusedTargetError  the client would have contacted an address the operator
                                did not configure (another host, a private address)

Messages name the remote and the request (method and path), never a credential.
"""

from __future__ import annotations

from shieldwall.model.errors import ShieldwallError


class RemoteError(ShieldwallError):
    """The remote server could not be used for this request."""

    def __init__(
        self, reason: str, *, remote: str, place: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{remote}:{place}: {reason}")
        self.reason = reason
        self.remote = remote
        self.place = place
        self.retry_after = retry_after


class RefusedTargetError(RemoteError):
    """A redirect, a link or an address pointed somewhere the operator did not configure."""

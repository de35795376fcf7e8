"""Console sessions: a sign-in token kept server-side, an opaque cookie, a CSRF token per session.

Signing in is the API's login (argon2, behind the same throttle): it records a ``login`` token
in the store with its expiry (12 hours). The token's secret travels only in an ``HttpOnly``,
``SameSite=Strict`` cookie (``Secure`` unless the server is reached on a loopback address),
so the session lives on the server: every request checks the stored token again (expired,
revoked, person or organisation suspended → signed out at once), and signing out revokes it.

Each form carries a CSRF token derived from the session secret (HMAC), which a page of
another site can neither read nor compute; every POST is refused without it. The sign-in
form, before any session exists, uses a double-submit cookie of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from ipaddress import ip_address

from fastapi import Request, Response

from shieldwall.access import authenticate
from shieldwall.model.errors import AuthenticationError, InputError
from shieldwall.model.identity import Principal
from shieldwall.runtime import Services

COOKIE = "sw_session"
SIGNIN_COOKIE = "sw_signin"
MAX_AGE = 12 * 3600
"""The cookie lives as long as the login token (``access.accounts.LOGIN_TTL``)."""
PATH = "/console"


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in, and the secret that binds their forms to this session."""

    principal: Principal
    secret: str

    @property
    def csrf(self) -> str:
        """The CSRF token every form of this session carries."""
        return csrf_token(self.secret)


def csrf_token(secret: str) -> str:
    """An HMAC of the session secret: unguessable without it, stable for the session."""
    return hmac.new(secret.encode(), b"shieldwall console csrf", hashlib.sha256).hexdigest()


def services(request: Request) -> Services:
    """The services the app was built with."""
    found: Services = request.app.state.services
    return found


def current(request: Request) -> Session | None:
    """The session of the request's cookie, checked against the store; None if none holds."""
    secret = request.cookies.get(COOKIE, "")
    if not secret:
        return None
    try:
        return Session(authenticate(services(request).store, secret), secret)
    except (AuthenticationError, InputError):
        return None


def csrf_matches(expected: str, given: str) -> bool:
    """Constant-time comparison; an empty token never matches."""
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())


def is_loopback(request: Request) -> bool:
    """True when the browser reached us on 127.0.0.1, ::1 or localhost (no TLS there)."""
    host = (request.url.hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """A cookie the page's script cannot read and other sites' requests do not carry."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=not is_loopback(request),
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Remove a cookie with the same attributes it was set with."""
    response.delete_cookie(
        name, path=PATH, httponly=True, samesite="strict", secure=not is_loopback(request)
    )


def new_signin_token() -> str:
    """A fresh double-submit token for the sign-in form."""
    return secrets.token_urlsafe(32)

"""Who is calling: HTTP Basic (T2) or a bearer token (T3), checked before anything else (T8).

HTTP Basic: the password is a Shieldwall API token; the user name is not checked (use the
token id or anything: TAXII clients insist on one). A bearer token is the same API token.
Both are verified by ``runtime.auth.authenticate``, so expiry, revocation and suspension
apply identically. Missing or invalid credentials answer 401 with both challenges.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from shieldwall.access import authenticate
from shieldwall.api.taxii.media import check_accept
from shieldwall.model.errors import AuthenticationError
from shieldwall.model.identity import Principal
from shieldwall.runtime import Services


def presented_token(header: str) -> str:
    """The API token in an Authorization header; AuthenticationError when there is none."""
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise AuthenticationError("malformed Basic credentials") from exc
        _user, sep, password = decoded.partition(":")
        if sep and password:
            return password
    raise AuthenticationError("credentials are required")


def taxii_principal(request: Request) -> Principal:
    """Authenticate first, then check Accept: unauthenticated callers learn nothing."""
    services: Services = request.app.state.services
    token = presented_token(request.headers.get("authorization", ""))
    principal = authenticate(services.store, token)
    check_accept(request.headers.get("accept"))
    return principal

"""Request dependencies: the services of the app and the authenticated principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shieldwall.access import authenticate
from shieldwall.model.errors import AuthenticationError
from shieldwall.model.identity import Principal
from shieldwall.runtime import Services


def services(request: Request) -> Services:
    """The services the app was built with."""
    found: Services = request.app.state.services
    return found


def principal(request: Request, svc: Annotated[Services, Depends(services)]) -> Principal:
    """The principal behind the request's bearer token; 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("a bearer token is required")
    return authenticate(svc.store, token.strip())


ServicesDep = Annotated[Services, Depends(services)]
PrincipalDep = Annotated[Principal, Depends(principal)]

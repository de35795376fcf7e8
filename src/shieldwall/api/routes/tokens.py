"""API tokens: issued once, listed without secrets, revoked at once."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from shieldwall import access
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import IssuedTokenOut, LoginIn, Me, TokenIn, TokenOut

router = APIRouter(prefix="/api/v1", tags=["tokens"])


@router.get("/me")
def me(who: PrincipalDep) -> Me:
    """Who the token stands for."""
    return Me(person_id=who.person_id, org_id=who.org_id, role=who.role)


@router.get("/tokens")
def list_tokens(svc: ServicesDep, who: PrincipalDep) -> list[TokenOut]:
    """Tokens the caller manages (never their secrets)."""
    return [TokenOut.of(token) for token in access.list_tokens(svc.store, who)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenIn, svc: ServicesDep, who: PrincipalDep) -> IssuedTokenOut:
    """Issue a token for yourself, or (lead, centre) for a person you administer."""
    issued = access.create_token(
        svc.store, who, body.person_id or who.person_id, body.name, timedelta(days=body.ttl_days)
    )
    return IssuedTokenOut(**TokenOut.of(issued.token).model_dump(), secret=issued.secret)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: str, svc: ServicesDep, who: PrincipalDep) -> Response:
    """Revoke a token; refused from the next request on."""
    access.revoke_token(svc.store, who, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/login", status_code=status.HTTP_201_CREATED)
def login(body: LoginIn, svc: ServicesDep, request: Request) -> IssuedTokenOut:
    """Exchange e-mail and password for a token valid 12 hours (for people, not sensors).

    Repeated failures for one account or from one address get 429 with ``Retry-After``.
    """
    address = request.client.host if request.client else None
    issued = access.throttled_login(
        svc.store, svc.login_throttle, body.email, body.password, address
    )
    return IssuedTokenOut(**TokenOut.of(issued.token).model_dump(), secret=issued.secret)

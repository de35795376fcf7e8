"""Requests for assistance over REST: ask, list, show, offer, accept, report, close.

Thin: the assistance desk asks the gate (a request the caller may not see is "not found",
exactly like an absent one) and the permission table, and announces each step.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, StringConstraints

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.routes.respond_bodies import LEVELS, AudienceIn, TlpName
from shieldwall.api.schemas import Strict
from shieldwall.model.assistance import Need, OfferStatus, RequestStatus, Urgency
from shieldwall.respond import HelpWanted, assist_request_json, assist_view_json

router = APIRouter(prefix="/api/v1/assistance", tags=["assistance"])
RequestId = Annotated[int, Path(ge=1, le=2**63 - 1)]
OfferId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class RequestIn(Strict):
    """What is needed, how urgently, under which TLP and audience."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    description: Annotated[str, Field(max_length=20_000)] = ""
    needs: list[Need] = Field(min_length=1, max_length=4)
    urgency: Urgency
    tlp: TlpName
    audience: AudienceIn = Field(default_factory=AudienceIn)


class OfferIn(Strict):
    """What the caller's organisation can do."""

    need: Need
    text: Text


class ProgressIn(Strict):
    """The helper's report on its accepted offer."""

    status: Literal[OfferStatus.IN_PROGRESS, OfferStatus.DONE]
    note: Annotated[str, Field(max_length=10_000)] = ""


class CloseIn(Strict):
    """Why the request is closed."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


@router.post("")
def ask(svc: ServicesDep, who: PrincipalDep, body: RequestIn) -> Response:
    """Ask for help; the members the gate allows are told."""
    wanted = HelpWanted(
        body.title,
        body.description,
        tuple(body.needs),
        body.urgency,
        LEVELS[body.tlp],
        body.audience.addressees(),
    )
    return _json(assist_view_json(svc.assistance.request(who, wanted)), 201)


@router.get("")
def list_requests(
    svc: ServicesDep,
    who: PrincipalDep,
    status: RequestStatus | None = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Requests the caller may see, with time to first offer and to acceptance."""
    page = svc.assistance.page(who, status, after=after, limit=limit)
    body: dict[str, Any] = {"requests": [assist_request_json(r) for r in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.get("/{request_id}")
def show(svc: ServicesDep, who: PrincipalDep, request_id: RequestId) -> Response:
    """One request with its offers and timeline, or 404 whether absent or hidden."""
    return _json(assist_view_json(svc.assistance.get(who, request_id)))


@router.post("/{request_id}/offers")
def offer(svc: ServicesDep, who: PrincipalDep, request_id: RequestId, body: OfferIn) -> Response:
    """Offer help."""
    return _json(assist_view_json(svc.assistance.offer(who, request_id, body.need, body.text)), 201)


@router.post("/{request_id}/offers/{offer_id}/accept")
def accept(
    svc: ServicesDep, who: PrincipalDep, request_id: RequestId, offer_id: OfferId
) -> Response:
    """Accept an offer (the requester or the centre)."""
    return _json(assist_view_json(svc.assistance.accept(who, request_id, offer_id)))


@router.post("/{request_id}/offers/{offer_id}/progress")
def progress(
    svc: ServicesDep,
    who: PrincipalDep,
    request_id: RequestId,
    offer_id: OfferId,
    body: ProgressIn,
) -> Response:
    """Report on an accepted offer (the helper)."""
    view = svc.assistance.progress(who, request_id, offer_id, body.status, body.note)
    return _json(assist_view_json(view))


@router.post("/{request_id}/close")
def close(svc: ServicesDep, who: PrincipalDep, request_id: RequestId, body: CloseIn) -> Response:
    """Close the request (the requester or the centre)."""
    return _json(assist_view_json(svc.assistance.close(who, request_id, body.reason)))

"""Requests for assistance: what the person's organisation may see (its own requests and
those it may offer help on), one request with its offers and timeline, and the forms to ask
for help, offer it, accept an offer and close a request.

Every read and change is a call to the runtime's assistance desk (``Services.assistance``),
the same desk the API calls: the gate decides which requests the organisation sees (a
hidden request is "not found", exactly like an absent one), and the desk decides who may
offer, accept and close. Each form is CSRF-checked (:func:`shieldwall.web.guard.posted`).
"""

from __future__ import annotations

import time
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from shieldwall.model.assistance import Need, OfferStatus, RequestStatus, Urgency
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind
from shieldwall.respond import HelpWanted, tlp_label, tlp_level
from shieldwall.web.cases import TLP_CHOICES
from shieldwall.web.guard import Form, guarded, posted
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/assistance", include_in_schema=False)
PAGE_SIZE = 50
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
E = TypeVar("E", Need, Urgency, RequestStatus)


def duration(seconds: float | None) -> str:
    """A time to help, as a person reads it (``—`` while it has not happened)."""
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def form_choice(kind: type[E], text: str, place: str) -> E:
    """A value of one of the desk's enumerations from a form; InputError otherwise."""
    try:
        return kind(text)
    except ValueError as exc:
        raise InputError(f"unknown {place} {text[:40]!r}", place=place) from exc


@router.get("")
def request_list(
    request: Request, status: str = "", after: int = Query(0, ge=0, le=2**63 - 1)
) -> Response:
    """The requests the organisation may see, oldest first, and the form to ask for help."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        chosen = form_choice(RequestStatus, status, "status") if status else None
        found = services(request).assistance.page(
            session.principal, chosen, after=after, limit=PAGE_SIZE + 1
        )
        shown = list(found[:PAGE_SIZE])
        ctx = {
            "title": "Requests for assistance",
            "requests": shown,
            "status": status,
            "statuses": list(RequestStatus),
            "needs": list(Need),
            "urgencies": list(Urgency),
            "tlp_choices": TLP_CHOICES,
            "duration": duration,
            "next_after": shown[-1].id if len(found) > PAGE_SIZE else None,
        }
        return page(request, "assistance.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/{request_id}")
def request_detail(request: Request, request_id: Id) -> Response:
    """One request with the offers and timeline the organisation may see, and its forms."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        who = session.principal
        view = services(request).assistance.get(who, request_id)
        asked = view.request
        ctx = {
            "title": f"Request {request_id}",
            "view": view,
            "req": asked,
            "owner": who.org_id == asked.org_id or who.org_kind is OrgKind.CENTRE,
            "may_offer": who.org_id != asked.org_id and asked.status is not RequestStatus.CLOSED,
            "open": asked.status is not RequestStatus.CLOSED,
            "offered": OfferStatus.OFFERED,
            "needs": list(Need),
            "tlp_label": tlp_label,
            "duration": duration,
        }
        return page(request, "assist_request.html", session, ctx, started=started)

    return guarded(request, build)


def _back(request_id: int) -> Response:
    return RedirectResponse(f"/console/assistance/{request_id}", status_code=303)


@router.post("")
async def ask(request: Request) -> Response:
    """Ask for help: title, description, needs (one box each), urgency and TLP."""

    def act(session: Session, form: Form) -> Response:
        needs = tuple(n for n in Need if form.get(f"need-{n.value}"))
        wanted = HelpWanted(
            form.get("title", "").strip(),
            form.get("description", "").strip(),
            needs,
            form_choice(Urgency, form.get("urgency", ""), "urgency"),
            tlp_level(form.get("tlp", "amber")),
        )
        view = services(request).assistance.request(session.principal, wanted)
        return _back(view.request.id)

    return await posted(request, act)


@router.post("/{request_id}/offers")
async def offer(request: Request, request_id: Id) -> Response:
    """Offer help of one kind towards the request."""

    def act(session: Session, form: Form) -> Response:
        need = form_choice(Need, form.get("need", ""), "need")
        services(request).assistance.offer(
            session.principal, request_id, need, form.get("text", "")
        )
        return _back(request_id)

    return await posted(request, act)


@router.post("/{request_id}/offers/{offer_id}/accept")
async def accept(request: Request, request_id: Id, offer_id: Id) -> Response:
    """The requester or the centre accepts an offer."""

    def act(session: Session, form: Form) -> Response:
        del form
        services(request).assistance.accept(session.principal, request_id, offer_id)
        return _back(request_id)

    return await posted(request, act)


@router.post("/{request_id}/close")
async def close(request: Request, request_id: Id) -> Response:
    """The requester or the centre closes the request, with a reason."""

    def act(session: Session, form: Form) -> Response:
        services(request).assistance.close(session.principal, request_id, form.get("reason", ""))
        return _back(request_id)

    return await posted(request, act)

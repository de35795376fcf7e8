"""Incidents: a list with filters, search, paging and sorting on the server; one incident's
alerts, events, observables and history; assign, change status and comment through forms.

Every read and change is a call to the runtime's incident desk, which checks the person's
scope and role, the status flow and the assignee, and audits the change.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from shieldwall.model.errors import InputError
from shieldwall.model.incident import SEVERITIES, Incident, IncidentStatus
from shieldwall.web import reads
from shieldwall.web.guard import Form, guarded, posted
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/incidents", include_in_schema=False)
PAGE_SIZE = 25
SORTS = ("id", "title", "severity", "status", "org_id", "alert_count", "last_seen")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
IncidentId = Path(ge=1, le=2**63 - 1)


@dataclass(frozen=True, slots=True)
class Listing:
    """What the list shows, as the query string asked."""

    status: str = ""
    severity: str = ""
    member: str = ""
    q: str = ""
    sort: str = "id"
    desc: bool = True
    page: int = 1

    def link(self, **changes: Any) -> str:
        """The list's address with some parameters changed."""
        values = {**asdict(self), **changes}
        values["desc"] = "1" if values["desc"] else "0"
        return "/console/incidents?" + urlencode({k: v for k, v in values.items() if v != ""})


def _key(sort: str) -> Any:
    if sort == "severity":
        return lambda i: (_RANK.get(i.severity, -1), i.id)
    if sort == "last_seen":
        return lambda i: (i.last_seen or i.created_at, i.id)
    if sort in ("title", "status", "org_id"):
        return lambda i: (str(getattr(i, sort)).lower(), i.id)
    return lambda i: (getattr(i, sort), i.id)


def _matches(incident: Incident, text: str) -> bool:
    needle = text.casefold()
    fields = (str(incident.id), incident.title, incident.org_id, incident.assignee or "")
    return any(needle in field.casefold() for field in fields)


def _status(text: str) -> IncidentStatus | None:
    if not text:
        return None
    try:
        return IncidentStatus(text)
    except ValueError as exc:
        raise InputError("unknown status", place="status") from exc


def select(rows: Sequence[Incident], listing: Listing) -> tuple[list[Incident], int]:
    """Search, sort and cut one page; the number of matching incidents."""
    kept = [i for i in rows if _matches(i, listing.q)] if listing.q else list(rows)
    kept.sort(key=_key(listing.sort), reverse=listing.desc)
    start = (listing.page - 1) * PAGE_SIZE
    return kept[start : start + PAGE_SIZE], len(kept)


@router.get("")
def incident_list(
    request: Request,
    status: str = "",
    severity: str = "",
    member: str = "",
    q: str = "",
    sort: str = "id",
    desc: str = "1",
    page_no: int = Query(1, alias="page"),
) -> Response:
    """The incidents this person may see, filtered, searched, sorted and paged."""
    started = time.perf_counter()
    listing = Listing(
        status,
        severity,
        member[:64],
        q[:200],
        sort if sort in SORTS else "id",
        desc != "0",
        max(1, min(page_no, 10_000)),
    )

    def build(session: Session) -> Response:
        quick = listing.sort == "id" and listing.desc and not listing.q  # the newest: no scan
        found = reads.incidents(
            services(request),
            session.principal,
            limit=listing.page * PAGE_SIZE + 1 if quick else reads.SCAN_LIMIT,
            status=_status(status),
            severity=severity or None,
            member=member or None,
        )
        shown, total = select(found.rows, listing)
        ctx = {
            "title": "Incidents",
            "listing": listing,
            "incidents": shown,
            "total": total,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "capped": found.capped,
            "scan_limit": reads.SCAN_LIMIT,
            "statuses": list(IncidentStatus),
            "severities": SEVERITIES,
            "sorts": SORTS,
        }
        return page(request, "incidents.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/{incident_id}")
def incident_detail(request: Request, incident_id: int = IncidentId) -> Response:
    """One incident with its alerts, their events and observables, and its history."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        view = services(request).incidents.get(session.principal, incident_id)
        ctx = {
            "title": f"Incident {incident_id}",
            "view": view,
            "incident": view.incident,
            "statuses": list(IncidentStatus),
        }
        return page(request, "incident.html", session, ctx, started=started)

    return guarded(request, build)


def _back(incident_id: int) -> Response:
    return RedirectResponse(f"/console/incidents/{incident_id}", status_code=303)


@router.post("/{incident_id}/status")
async def change_status(request: Request, incident_id: int = IncidentId) -> Response:
    """Move the incident along its status flow."""

    def act(session: Session, form: Form) -> Response:
        status = _status(form.get("status", "")) or IncidentStatus.NEW
        services(request).incidents.set_status(
            session.principal, incident_id, status, form.get("reason", "")[:1000]
        )
        return _back(incident_id)

    return await posted(request, act)


@router.post("/{incident_id}/assign")
async def assign(request: Request, incident_id: int = IncidentId) -> Response:
    """Give the incident to me, to a named person, or to nobody."""

    def act(session: Session, form: Form) -> Response:
        choice = form.get("assignee", "").strip()[:64]
        assignee = {"me": session.principal.person_id, "": None}.get(choice, choice)
        services(request).incidents.assign(session.principal, incident_id, assignee)
        return _back(incident_id)

    return await posted(request, act)


@router.post("/{incident_id}/comment")
async def comment(request: Request, incident_id: int = IncidentId) -> Response:
    """Add a comment to the incident's history."""

    def act(session: Session, form: Form) -> Response:
        services(request).incidents.comment(session.principal, incident_id, form.get("text", ""))
        return _back(incident_id)

    return await posted(request, act)

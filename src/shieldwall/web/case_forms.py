"""The forms that change a case: open an incident as a case, status, assignment, tasks,
observables and comments. Each is CSRF-checked (:func:`shieldwall.web.guard.posted`) and
is one call to the runtime's case desks, which check the person's role, the case's
managers, the status flow and each item's TLP, and record the change in the timeline.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import RedirectResponse

from shieldwall.model.case import TaskStatus
from shieldwall.model.errors import InputError
from shieldwall.respond import tlp_level
from shieldwall.web.cases import case_status
from shieldwall.web.guard import Form, posted
from shieldwall.web.session import Session, services

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
ItemId = Annotated[str, Path(min_length=1, max_length=64)]


def _back(case_id: int) -> Response:
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/console/incidents/{incident_id}/case")
async def open_case(request: Request, incident_id: Id) -> Response:
    """Open the incident as a case (or go to the case it already has)."""

    def act(session: Session, form: Form) -> Response:
        del form
        view = services(request).cases.open(session.principal, incident_id)
        return _back(view.case.id)

    return await posted(request, act)


@router.post("/console/cases/{case_id}/status")
async def set_status(request: Request, case_id: Id) -> Response:
    """Move the case along its status flow (closing needs a reason)."""

    def act(session: Session, form: Form) -> Response:
        status = case_status(form.get("status", ""))
        if status is None:
            raise InputError("choose a status", place="status")
        services(request).cases.set_status(
            session.principal, case_id, status, form.get("reason", "")[:1000]
        )
        return _back(case_id)

    return await posted(request, act)


@router.post("/console/cases/{case_id}/assign")
async def assign(request: Request, case_id: Id) -> Response:
    """Give the case to me, to a named person, or to nobody; and to a shift if given."""

    def act(session: Session, form: Form) -> Response:
        choice = form.get("assignee", "").strip()[:64]
        person = {"me": session.principal.person_id, "": None}.get(choice, choice)
        shift = form.get("shift", "").strip()[:64] or None
        services(request).cases.assign(session.principal, case_id, person, shift)
        return _back(case_id)

    return await posted(request, act)


@router.post("/console/cases/{case_id}/items")
async def add_item(request: Request, case_id: Id) -> Response:
    """Add a task, an observable or a comment, with its TLP."""

    def act(session: Session, form: Form) -> Response:
        desk, who = services(request).case_items, session.principal
        tlp = tlp_level(form.get("tlp", "amber"))
        kind, text = form.get("kind", ""), form.get("text", "")
        if kind == "task":
            owner = form.get("owner", "").strip()[:64] or None
            desk.add_task(who, case_id, text, tlp, owner=owner)
        elif kind == "observable":
            desk.add_observable(who, case_id, form.get("type", ""), text, tlp)
        elif kind == "comment":
            desk.add_comment(who, case_id, text, tlp)
        else:
            raise InputError("kind must be task, observable or comment", place="kind")
        return _back(case_id)

    return await posted(request, act)


@router.post("/console/cases/{case_id}/tasks/{item_id}")
async def set_task(request: Request, case_id: Id, item_id: ItemId) -> Response:
    """Mark a task done or cancelled, or reopen it."""

    def act(session: Session, form: Form) -> Response:
        try:
            status = TaskStatus(form.get("status", ""))
        except ValueError as exc:
            raise InputError("unknown task status", place="status") from exc
        services(request).case_items.set_task(session.principal, case_id, item_id, status)
        return _back(case_id)

    return await posted(request, act)

"""Cases over REST: opened from incidents, worked on by every party in its own view.

Thin, as every route: the desks of ``respond`` check the caller's role, the case's
parties, each item's TLP through the sharing gate, the status flow and the limits. A case
or an item the caller may not see is "not found", exactly like an absent one (same
status, same body shape); every bad request is a problem document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import AwareDatetime, Field, StringConstraints

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Slug, Strict
from shieldwall.model.case import CaseStatus, TaskStatus
from shieldwall.respond import (
    OBSERVABLE_TYPES,
    CaseView,
    case_json,
    handover_json,
    item_json,
    tlp_level,
    view_json,
)

router = APIRouter(prefix="/api/v1", tags=["cases"])
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ItemId = Annotated[str, Path(min_length=1, max_length=36)]
Tlp = Literal["clear", "green", "amber", "amber+strict", "red"]
ShareTlp = Literal["clear", "green", "amber", "amber+strict"]
PersonId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ObservableType = Literal[OBSERVABLE_TYPES]  # type: ignore[valid-type]


class OpenIn(Strict):
    """The incident to open as a case."""

    incident_id: Annotated[int, Field(ge=1, le=2**63 - 1)]


class StatusIn(Strict):
    """The next status; closing needs a reason."""

    status: CaseStatus
    reason: Annotated[str, Field(max_length=1000)] = ""


class AssignIn(Strict):
    """A person of a party or the centre, and/or a shift; null: nobody."""

    person: PersonId | None = None
    shift: Annotated[str, StringConstraints(max_length=64)] | None = None


class ShareIn(Strict):
    """A member to share the case with, and the highest TLP of the items it receives."""

    org_id: Slug
    max_tlp: ShareTlp = "amber"


class TaskIn(Strict):
    """A task: what, for whom, by when, at which TLP."""

    title: Annotated[str, Field(min_length=1, max_length=500)]
    owner: PersonId | None = None
    due_at: AwareDatetime | None = None
    tlp: Tlp = "amber+strict"


class TaskStatusIn(Strict):
    """A task's next status."""

    status: TaskStatus


class ObservableIn(Strict):
    """An observable and its TLP."""

    type: ObservableType
    value: Annotated[str, Field(min_length=1, max_length=2048)]
    tlp: Tlp = "amber+strict"


class CommentIn(Strict):
    """A comment and its TLP."""

    text: Annotated[str, Field(min_length=1, max_length=10_000)]
    tlp: Tlp = "amber+strict"


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code, media_type="application/json")


def _now() -> datetime:
    return datetime.now(UTC)


def _view(view: CaseView, status_code: int = 200) -> Response:
    return _json(view_json(view, _now()), status_code)


@router.post("/cases")
def open_case(svc: ServicesDep, who: PrincipalDep, body: OpenIn) -> Response:
    """Open an incident as a case (again: the case it already has)."""
    return _view(svc.cases.open(who, body.incident_id), 201)


@router.get("/cases")
def list_cases(
    svc: ServicesDep,
    who: PrincipalDep,
    status: CaseStatus | None = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Cases the caller is a party to (every one for the centre), oldest first."""
    page = svc.cases.page(who, status=status, after=after, limit=limit)
    now = _now()
    body: dict[str, Any] = {"cases": [case_json(case, now) for case in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.get("/cases/{case_id}")
def get_case(svc: ServicesDep, who: PrincipalDep, case_id: CaseId) -> Response:
    """A case with what the caller may see of it, or 404 whether absent or hidden."""
    return _view(svc.cases.get(who, case_id))


@router.post("/cases/{case_id}/status")
def set_case_status(
    svc: ServicesDep, who: PrincipalDep, case_id: CaseId, body: StatusIn
) -> Response:
    """Move the case along its status flow (409 for a move the flow refuses)."""
    return _view(svc.cases.set_status(who, case_id, body.status, body.reason))


@router.post("/cases/{case_id}/assign")
def assign_case(svc: ServicesDep, who: PrincipalDep, case_id: CaseId, body: AssignIn) -> Response:
    """Give the case to a person and/or a shift."""
    return _view(svc.cases.assign(who, case_id, body.person, body.shift))


@router.post("/cases/{case_id}/shares")
def share_case(svc: ServicesDep, who: PrincipalDep, case_id: CaseId, body: ShareIn) -> Response:
    """Share the case with a member, up to a TLP level (again: change the level)."""
    return _view(svc.cases.share(who, case_id, body.org_id, tlp_level(body.max_tlp)))


@router.delete("/cases/{case_id}/shares/{member}")
def unshare_case(
    svc: ServicesDep, who: PrincipalDep, case_id: CaseId, member: Annotated[Slug, Path()]
) -> Response:
    """Stop sharing the case with a member."""
    return _view(svc.cases.unshare(who, case_id, member))


@router.post("/cases/{case_id}/tasks")
def add_task(svc: ServicesDep, who: PrincipalDep, case_id: CaseId, body: TaskIn) -> Response:
    """Add a task."""
    item = svc.case_items.add_task(
        who, case_id, body.title, tlp_level(body.tlp), owner=body.owner, due_at=body.due_at
    )
    return _json(item_json(item, _now()), 201)


@router.post("/cases/{case_id}/tasks/{item_id}/status")
def set_task_status(
    svc: ServicesDep, who: PrincipalDep, case_id: CaseId, item_id: ItemId, body: TaskStatusIn
) -> Response:
    """Mark a task done or cancelled, or reopen it."""
    item = svc.case_items.set_task(who, case_id, item_id, body.status)
    return _json(item_json(item, _now()))


@router.post("/cases/{case_id}/observables")
def add_observable(
    svc: ServicesDep, who: PrincipalDep, case_id: CaseId, body: ObservableIn
) -> Response:
    """Add an observable, checked for its type."""
    item = svc.case_items.add_observable(
        who, case_id, str(body.type), body.value, tlp_level(body.tlp)
    )
    return _json(item_json(item, _now()), 201)


@router.post("/cases/{case_id}/comments")
def add_comment(svc: ServicesDep, who: PrincipalDep, case_id: CaseId, body: CommentIn) -> Response:
    """Add a comment."""
    item = svc.case_items.add_comment(who, case_id, body.text, tlp_level(body.tlp))
    return _json(item_json(item, _now()), 201)


@router.post("/cases/{case_id}/evidence")
async def add_evidence(
    request: Request,
    svc: ServicesDep,
    who: PrincipalDep,
    case_id: CaseId,
    name: Annotated[str, Query(min_length=1, max_length=255)] = "evidence.bin",
    tlp: Tlp = "amber+strict",
) -> Response:
    """Add an evidence file: the request body is the file (413 over the limit)."""
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")
    item = await run_in_threadpool(
        svc.case_items.add_evidence, who, case_id, name, content, tlp_level(tlp), media_type
    )
    return _json(item_json(item, _now()), 201)


@router.get("/cases/{case_id}/evidence/{evidence_id}")
def get_evidence(
    svc: ServicesDep, who: PrincipalDep, case_id: CaseId, evidence_id: ItemId
) -> Response:
    """An evidence file's bytes, checked against its SHA-256 (in ``X-Content-SHA256``)."""
    item, content = svc.case_items.evidence(who, case_id, evidence_id)
    headers = {
        "X-Content-SHA256": item.sha256 or "",
        "Content-Disposition": "attachment",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, 200, media_type=item.media_type, headers=headers)


@router.get("/handover")
def read_handover(svc: ServicesDep, who: PrincipalDep) -> Response:
    """What changed since the caller's organisation last took a handover."""
    return _json(handover_json(svc.handover.report(who)))


@router.post("/handover")
def take_handover(svc: ServicesDep, who: PrincipalDep) -> Response:
    """The same report, and record this handover: the next one starts here."""
    return _json(handover_json(svc.handover.report(who, take=True)))

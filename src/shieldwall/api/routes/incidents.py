"""Incidents and campaigns over REST: read through the gate, incidents handled by analysts.

Thin, as every route: the incident desk checks the caller's scope and role, the status
flow and the assignee. An incident the caller may not see is "not found", exactly like an
absent one (same status, same body shape).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, StringConstraints

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Slug, Strict
from shieldwall.live import (
    IncidentView,
    alert_json,
    campaign_json,
    change_json,
    incident_json,
    release_json,
)
from shieldwall.model.incident import RELEASABLE_FIELDS, IncidentStatus

router = APIRouter(prefix="/api/v1", tags=["incidents"])
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Severity = Literal["informational", "low", "medium", "high", "critical"]
PersonId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AssignIn(Strict):
    """Who takes the incident: a person of its member or of the centre; null: nobody."""

    assignee: PersonId | None


class StatusIn(Strict):
    """The next status; closing needs a reason."""

    status: IncidentStatus
    reason: Annotated[str, Field(max_length=1000)] = ""


class CommentIn(Strict):
    """A comment added to the incident's history."""

    text: Annotated[str, Field(min_length=1, max_length=10_000)]


class ReleaseIn(Strict):
    """What the member releases of its incident to the other members of its campaigns."""

    tlp: Literal["clear", "green", "amber", "amber+strict"] = "amber"
    fields: Annotated[
        list[Annotated[str, StringConstraints(max_length=32)]],
        Field(min_length=1, max_length=len(RELEASABLE_FIELDS)),
    ]
    name_member: bool = False
    note: Annotated[str, Field(max_length=2000)] = ""


def _json(body: Any) -> Response:
    return Response(orjson.dumps(body), 200, media_type="application/json")


def _view(view: IncidentView) -> Response:
    body = incident_json(view.incident)
    body["alerts"] = [alert_json(alert) for alert in view.alerts]
    body["history"] = [change_json(change) for change in view.history]
    return _json(body)


@router.get("/incidents")
def list_incidents(
    svc: ServicesDep,
    who: PrincipalDep,
    status: IncidentStatus | None = None,
    severity: Severity | None = None,
    member: Annotated[Slug | None, Query()] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Incidents the caller may see, oldest first after id ``after``."""
    page = svc.incidents.page(
        who, status=status, severity=severity, member=member, after=after, limit=limit
    )
    body: dict[str, Any] = {"incidents": [incident_json(incident) for incident in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.get("/incidents/{incident_id}")
def get_incident(svc: ServicesDep, who: PrincipalDep, incident_id: IncidentId) -> Response:
    """One incident with its alerts and history, or 404 whether absent or hidden."""
    return _view(svc.incidents.get(who, incident_id))


@router.post("/incidents/{incident_id}/assign")
def assign_incident(
    svc: ServicesDep, who: PrincipalDep, incident_id: IncidentId, body: AssignIn
) -> Response:
    """Give the incident to a person (or to nobody)."""
    return _view(svc.incidents.assign(who, incident_id, body.assignee))


@router.post("/incidents/{incident_id}/status")
def set_incident_status(
    svc: ServicesDep, who: PrincipalDep, incident_id: IncidentId, body: StatusIn
) -> Response:
    """Move the incident along its status flow."""
    return _view(svc.incidents.set_status(who, incident_id, body.status, body.reason))


@router.post("/incidents/{incident_id}/comments")
def comment_incident(
    svc: ServicesDep, who: PrincipalDep, incident_id: IncidentId, body: CommentIn
) -> Response:
    """Add a comment to the incident's history."""
    return _view(svc.incidents.comment(who, incident_id, body.text))


@router.get("/campaigns")
def list_campaigns(
    svc: ServicesDep,
    who: PrincipalDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Campaigns the caller's organisation is part of (every one for the centre)."""
    page = svc.campaigns.page(who, after=after, limit=limit)
    body: dict[str, Any] = {"campaigns": [campaign_json(sight) for sight in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.get("/campaigns/{campaign_id}")
def get_campaign(
    svc: ServicesDep, who: PrincipalDep, campaign_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> Response:
    """One campaign as the caller may see it, or 404 whether absent or hidden."""
    return _json(campaign_json(svc.campaigns.get(who, campaign_id)))


@router.put("/incidents/{incident_id}/release")
def release_incident(
    svc: ServicesDep, who: PrincipalDep, incident_id: IncidentId, body: ReleaseIn
) -> Response:
    """Release part of the caller's own incident to the other members of its campaigns,
    read by them through the sharing gate (replaces the incident's last release)."""
    release = svc.campaigns.release(
        who,
        incident_id,
        tlp=body.tlp,
        fields=tuple(body.fields),
        name_member=body.name_member,
        note=body.note,
    )
    return _json(release_json(release))


@router.delete("/incidents/{incident_id}/release")
def withdraw_release(svc: ServicesDep, who: PrincipalDep, incident_id: IncidentId) -> Response:
    """Withdraw the incident's release: the others see only the count again."""
    return _json(
        {"incident_id": incident_id, "withdrawn": svc.campaigns.withdraw(who, incident_id)}
    )

"""Intelligence over REST: search, one object's versions, sightings, the revocation log,
importing a file (STIX bundle, MISP event) and exporting what the caller may receive.

Thin: each endpoint is one call to the intelligence desk (:class:`shieldwall.share.IntelDesk`),
which opens one transaction with one viewer for the whole request. Objects the
caller may not receive are "not found", exactly like absent ones; counts, ``more`` and
``next`` never include them. Reads of restricted material and every write append one
audit entry per request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, StringConstraints

from shieldwall import share
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Strict

router = APIRouter(prefix="/api/v1/intel", tags=["intelligence"])

StixId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+--[0-9a-fA-F-]{36}$")]
Many = Annotated[list[str] | None, Query(max_length=50)]


class SightingIn(Strict):
    """A sighting of an object the caller may see: how often, when, where."""

    sighting_of_ref: StixId
    count: int = Field(default=1, ge=0, le=999_999_999)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    where_sighted_refs: list[StixId] = Field(default_factory=list, max_length=32)
    false_positive: bool = False
    object_marking_refs: list[StixId] = Field(default_factory=list, max_length=8)
    description: Annotated[str, StringConstraints(max_length=4000)] = ""


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code, media_type="application/json")


def _desk(svc: ServicesDep) -> share.IntelDesk:
    return share.IntelDesk(svc.store, share.cursor_codec(svc.settings.data_dir))


@router.get("/objects")
def search_objects(
    svc: ServicesDep,
    who: PrincipalDep,
    type: Many = None,
    id: Many = None,
    label: Many = None,
    technique: Many = None,
    observable: Many = None,
    producer: Many = None,
    marking: Many = None,
    added_after: str | None = None,
    modified_after: str | None = None,
    modified_before: str | None = None,
    versions: str = "last",
    min_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    count: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    next: str | None = None,
) -> Response:
    """Objects the caller may receive, newest-added last, in keyset pages."""
    filters = share.SearchFilters(
        types=type or (),
        ids=id or (),
        labels=label or (),
        techniques=technique or (),
        observables=observable or (),
        producers=producer or (),
        markings=marking or (),
        added_after=added_after,
        modified_after=modified_after,
        modified_before=modified_before,
        versions=versions,
    )
    page = share.PageRequest(limit=limit, next=next, min_score=min_score, count=count)
    return _json(_desk(svc).search(who, filters, page))


@router.get("/objects/{object_id}")
def get_object(
    object_id: str, svc: ServicesDep, who: PrincipalDep, versions: str = "all"
) -> Response:
    """Every version of one object the caller may receive (``versions``: all, last, first)."""
    return _json(_desk(svc).versions(who, object_id, versions))


@router.post("/sightings", status_code=status.HTTP_201_CREATED)
def report_sighting(body: SightingIn, svc: ServicesDep, who: PrincipalDep) -> Response:
    """Report a sighting; its default audience is the caller and the object's producer."""
    report = share.SightingReport(
        sighting_of_ref=body.sighting_of_ref,
        count=body.count,
        first_seen=body.first_seen,
        last_seen=body.last_seen,
        where=tuple(body.where_sighted_refs),
        false_positive=body.false_positive,
        marking_refs=tuple(body.object_marking_refs),
        description=body.description,
    )
    return _json(_desk(svc).report_sighting(who, report), status.HTTP_201_CREATED)


@router.get("/revocations")
def list_revocations(
    svc: ServicesDep,
    who: PrincipalDep,
    since: str = "0",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Revocations of objects the caller could see before (``since``: a seq or a timestamp)."""
    return _json(_desk(svc).revocations(who, since, limit))


@router.post("/import")
async def import_file(
    request: Request,
    svc: ServicesDep,
    who: PrincipalDep,
    name: Annotated[str, Query(min_length=1, max_length=200)] = "upload.json",
    to: Many = None,
    community: Many = None,
    misp_community: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Import the body (a STIX bundle, a MISP event or a list of events) as received by the
    caller's organisation: every object stored or refused with its reason; an unreadable
    file is a 422 naming the place, and nothing is stored (the console's import too)."""
    upload = share.Upload(
        name=name,
        data=await request.body(),
        max_bytes=svc.settings.max_body_bytes,
        addressing=share.Addressing(
            recipient_org_ids=frozenset(to or ()), community_ids=frozenset(community or ())
        ),
        misp_community=misp_community,
    )
    outcomes = await run_in_threadpool(_desk(svc).import_file, who, upload)
    return _json(
        {
            "stored": sum(o.stored for o in outcomes),
            "refused": sum(len(o.refusals) for o in outcomes),
            "outcomes": [
                {
                    "source": o.source,
                    "stored": o.stored,
                    "problems": list(o.problems),
                    "failures": [{"id": i, "message": m} for i, m in o.refusals],
                }
                for o in outcomes
            ],
        }
    )


@router.get("/export")
def export_file(
    svc: ServicesDep,
    who: PrincipalDep,
    format: Annotated[str, Query(pattern="^(stix|misp)$")] = "stix",
    type: Many = None,
    observable: Many = None,
    marking: Many = None,
) -> Response:
    """What the caller may receive now through the file-export channel (up to
    TLP:AMBER+STRICT, no unmarked object), at most 10,000 objects (``X-Shieldwall-Capped``)."""
    filters = share.SearchFilters(
        types=type or (), observables=observable or (), markings=marking or ()
    )
    made = _desk(svc).export_file(who, filters, share.ExportFormat(format))
    headers = {
        "X-Shieldwall-Objects": str(made.count),
        "X-Shieldwall-Capped": "true" if made.capped else "false",
    }
    return Response(made.result.data, media_type="application/json", headers=headers)

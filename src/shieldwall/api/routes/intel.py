"""Intelligence over REST: search, one object's versions, sightings, the revocation log.

Thin: each endpoint opens one :func:`~shieldwall.share.intel.session.intel_session` (one
transaction, one viewer for the whole request) and calls ``share/intel``. Objects the
caller may not receive are "not found", exactly like absent ones; counts, ``more`` and
``next`` never include them. Reads of restricted material and every write append one
audit entry per request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response, status
from pydantic import Field, StringConstraints

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Strict
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.intel import VersionSelector
from shieldwall.policy.roles import Action, authorise
from shieldwall.share.intel.query import Filters, build_query
from shieldwall.share.intel.revocations import read_revocations
from shieldwall.share.intel.search import Found, SearchRequest
from shieldwall.share.intel.session import intel_session
from shieldwall.share.intel.sighting_report import SightingReport, submit_sighting
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.share.taxii_server.cursor import CursorCodec, filter_digest, load_or_create_key

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


def _codec(svc: ServicesDep) -> CursorCodec:
    return CursorCodec(load_or_create_key(svc.settings.data_dir))


def _item(found: Found) -> dict[str, Any]:
    return {**found.obj, "x_shieldwall_date_added": found.date_added}


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
    filters = Filters(
        type or [], id or [], label or [], technique or [], observable or [],
        producer or [], marking or [], added_after, modified_after, modified_before, versions,
    )  # fmt: skip
    digest = filter_digest([("@", "rest:objects"), ("min_score", str(min_score)), *_parts(filters)])
    codec = _codec(svc)
    after = codec.resume(next, who.person_id, digest) if next else 0
    request = SearchRequest(build_query(filters), limit, after, min_score, count)
    with intel_session(svc.store, who) as session:
        page = session.searcher.search(request)
    body: dict[str, Any] = {"objects": [_item(f) for f in page.items], "more": page.more}
    if page.more:
        body["next"] = codec.issue(who.person_id, digest, page.last_seq)
    if page.total is not None:
        body["total"] = page.total
        body["total_capped"] = page.total_capped
    return _json(body)


def _parts(filters: Filters) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for name in ("types", "ids", "labels", "techniques", "observables", "producers", "markings"):
        parts.extend((name, value) for value in getattr(filters, name))
    for name in ("added_after", "modified_after", "modified_before", "versions"):
        parts.append((name, str(getattr(filters, name))))
    return parts


@router.get("/objects/{object_id}")
def get_object(
    object_id: str, svc: ServicesDep, who: PrincipalDep, versions: str = "all"
) -> Response:
    """Every version of one object the caller may receive (``versions``: all, last, first)."""
    try:
        selector = VersionSelector(versions)
    except ValueError as exc:
        raise InputError("must be last, first or all", place="query.versions") from exc
    with intel_session(svc.store, who) as session:
        found = session.searcher.versions(object_id, selector)
    if not found:
        raise NotFoundError(f"object {object_id} not found")
    return _json({"id": object_id, "versions": [_item(f) for f in found]})


@router.post("/sightings", status_code=status.HTTP_201_CREATED)
def report_sighting(body: SightingIn, svc: ServicesDep, who: PrincipalDep) -> Response:
    """Report a sighting; its default audience is the caller and the object's producer."""
    authorise(who, Action.INTEL_PUBLISH, who.org_id)
    report = SightingReport(
        sighting_of_ref=body.sighting_of_ref,
        count=body.count,
        first_seen=body.first_seen,
        last_seen=body.last_seen,
        where=tuple(body.where_sighted_refs),
        false_positive=body.false_positive,
        marking_refs=tuple(body.object_marking_refs),
        description=body.description,
    )
    with intel_session(svc.store, who) as session:
        obj, _ = submit_sighting(
            session.tx, who, session.directory, session.reader, report, session.now
        )
    return _json(obj, status.HTTP_201_CREATED)


@router.get("/revocations")
def list_revocations(
    svc: ServicesDep,
    who: PrincipalDep,
    since: str = "0",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Revocations of objects the caller could see before (``since``: a seq or a timestamp)."""
    after_seq, after_time = _since(since)
    with intel_session(svc.store, who) as session:
        page = read_revocations(
            session.tx,
            session.reader,
            who,
            after_seq=after_seq,
            after_time=after_time,
            limit=limit,
        )
    return _json({"revocations": page.items, "more": page.more, "next_since": page.last_seq})


def _since(text: str) -> tuple[int, datetime | None]:
    if text.isdigit():
        return int(text), None
    try:
        return 0, parse_timestamp(text)
    except ValueError as exc:
        raise InputError(
            "give the next_since of the last page, or a timestamp ending in Z",
            place="query.since",
        ) from exc

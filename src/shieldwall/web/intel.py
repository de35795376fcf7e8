"""Intelligence: indicators and sightings the person may receive, search by observable, one
object's versions, each with its TLP badge. Reads go through the intelligence desk, as the
API's do (one transaction, one viewer, audited reads of restricted material)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response

from shieldwall import share
from shieldwall.web import reads
from shieldwall.web.guard import guarded
from shieldwall.web.intel_filters import KINDS, TLPS, kind_of, search_filters, tlp_of
from shieldwall.web.render import page
from shieldwall.web.session import Session, services
from shieldwall.web.tlp import badges

router = APIRouter(prefix="/console/intel", include_in_schema=False)
PAGE_SIZE = 50


def _rows(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**obj, "badges": badges(obj.get("object_marking_refs", ()))} for obj in objects]


@router.get("")
def intel_page(
    request: Request,
    q: str = "",
    kind: str = "indicator",
    id: str = "",
    next: str = "",
    tlp: str = "",
) -> Response:
    """A page of intelligence, searched by observable and TLP, or one object's versions."""
    started = time.perf_counter()
    kind, tlp = kind_of(kind), tlp_of(tlp)

    def build(session: Session) -> Response:
        desk = reads.intel_desk(services(request))
        if id:
            found = desk.versions(session.principal, id[:200])
            one: dict[str, Any] = {
                "title": "Intelligence object",
                "object_id": id,
                "versions": _rows(found["versions"]),
            }
            return page(request, "intel_object.html", session, one, started=started)
        filters = search_filters(kind, q, tlp)
        request_page = share.PageRequest(limit=PAGE_SIZE, next=next or None)
        result = desk.search(session.principal, filters, request_page)
        ctx: dict[str, Any] = {
            "title": "Intelligence",
            "objects": _rows(result["objects"]),
            "q": q,
            "kind": kind,
            "kinds": list(KINDS),
            "tlp": tlp,
            "tlps": TLPS,
            "next": result.get("next", ""),
        }
        return page(request, "intel.html", session, ctx, started=started)

    return guarded(request, build)

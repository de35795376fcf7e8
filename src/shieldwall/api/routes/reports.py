"""Reports over REST: the daily situation report (SITREP) as HTML or PDF.

Thin, as every route: the SITREP desk decides whether the caller may have a report for
the organisation (their own, the default; any, for the centre's administrators) and reads it as that
organisation. An organisation the caller may not know is "not found", exactly like an
absent one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Slug
from shieldwall.respond import SitrepFormat

router = APIRouter(prefix="/api/v1", tags=["reports"])
DateText = Annotated[str | None, Query(max_length=40)]


@router.get("/reports/sitrep")
def sitrep(
    svc: ServicesDep,
    who: PrincipalDep,
    org_id: Annotated[Slug | None, Query(alias="for")] = None,
    date: DateText = None,
    format_: Annotated[SitrepFormat, Query(alias="format")] = SitrepFormat.HTML,
) -> Response:
    """The SITREP of the 24 hours ending at ``date`` for organisation ``for`` (default: the
    caller's own)."""
    made = svc.sitrep.render(who, org_id or who.org_id, date, format_)
    headers = {
        "Content-Disposition": f'inline; filename="{made.filename}"',
        "Cache-Control": "no-store",
        "X-TLP": made.marking.label,
    }
    return Response(made.data, 200, media_type=made.media_type, headers=headers)

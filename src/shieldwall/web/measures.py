"""Protective measures and the SITREP, as the person's organisation receives them.

The measures page shows what the organisation subscribes to, the current version of each
of its lists (the same build a sensor's pull gets, through ``Services.measures``: the gate
decides which measures and indicators the member receives), what the allow-lists stopped,
and the measures it issued or receives. The SITREP page links to the day's report for the
person's organisation, rendered by ``Services.sitrep`` as the recipient may see it.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from shieldwall.respond import SitrepFormat
from shieldwall.web.guard import guarded
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console", include_in_schema=False)
SHOWN = 100
"""Measures, and stopped values, listed at most (the counts say how many there are)."""
REPORT_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""The SITREP is one self-contained page with its own inline style and no script."""
DateText = Annotated[str | None, Query(max_length=40)]
OrgText = Annotated[str | None, Query(alias="for", max_length=64, pattern=r"^[a-z0-9-]+$")]


@router.get("/measures")
def measures_page(request: Request) -> Response:
    """The organisation's subscriptions, list versions, stopped values and measures."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        desk, who = services(request).measures, session.principal
        lists = [
            (sub, desk.build(who, who.org_id, sub.name))
            for sub in desk.subscriptions(who, who.org_id)
        ]
        current = list(desk.measures(who))
        ctx = {
            "title": "Protective measures",
            "lists": lists,
            "stopped_total": sum(len(built.stopped) for _, built in lists),
            "measures": sorted(current, key=lambda m: m.created_at, reverse=True)[:SHOWN],
            "measure_count": len(current),
            "shown": SHOWN,
        }
        return page(request, "measures.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/sitrep")
def sitrep_page(request: Request) -> Response:
    """Where the day's situation report is, for the person's organisation."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        ctx = {"title": "Situation report"}
        return page(request, "sitrep.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/sitrep/report")
def sitrep_report(request: Request, date: DateText = None, org_id: OrgText = None) -> Response:
    """The SITREP in HTML: of the 24 hours ending at ``date`` (default now), for the
    person's organisation (another one only where the SITREP desk allows it)."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        who = session.principal
        made = services(request).sitrep.render(
            who, org_id or who.org_id, date or None, SitrepFormat.HTML
        )
        headers = {
            **REPORT_HEADERS,
            "Content-Disposition": f'inline; filename="{made.filename}"',
            "X-TLP": made.marking.label,
            "Server-Timing": f"render;dur={(time.perf_counter() - started) * 1000:.1f}",
        }
        return Response(made.data, 200, media_type=made.media_type, headers=headers)

    return guarded(request, build)

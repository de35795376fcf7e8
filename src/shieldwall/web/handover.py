"""Shift handover: what changed since the organisation's last handover, and taking it.

The report is ``Services.handover``'s (new and escalated incidents, overdue tasks and
cases, waiting approvals and requests for assistance), read through the gate for the
person; taking the handover records it (CSRF-checked form) and shows the report taken, so
the next shift's report starts from here.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from shieldwall.respond import HandoverReport
from shieldwall.web.guard import Form, guarded, posted
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/handover", include_in_schema=False)
SHOWN = 100
"""New and escalated incidents listed at most (the newest); the count says how many there
are and the incidents page lists them all, paged, so a long gap between handovers (or a
first one over a busy store) does not render thousands of rows."""


def _shown(request: Request, session: Session, report: HandoverReport, started: float) -> Response:
    ctx = {"title": "Shift handover", "report": report, "shown": SHOWN}
    return page(request, "handover.html", session, ctx, started=started)


@router.get("")
def handover_page(request: Request) -> Response:
    """What changed since the last handover of the person's organisation."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        report = services(request).handover.report(session.principal)
        return _shown(request, session, report, started)

    return guarded(request, build)


@router.post("/take")
async def take(request: Request) -> Response:
    """Record the handover now, and show what it handed over."""
    started = time.perf_counter()

    def act(session: Session, form: Form) -> Response:
        del form
        report = services(request).handover.report(session.principal, take=True)
        return _shown(request, session, report, started)

    return await posted(request, act)

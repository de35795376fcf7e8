"""Alerts: the newest alerts this person may see, by member and technique (the heat map's
cells and the campaign graph's techniques link here)."""

from __future__ import annotations

import re
import time

from fastapi import APIRouter, Path, Request, Response

from shieldwall.web import reads
from shieldwall.web.guard import guarded
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/alerts", include_in_schema=False)
SHOWN = 100
TECHNIQUE = re.compile(r"^T\d{4}(?:\.\d{3})?$")


@router.get("")
def alert_list(request: Request, member: str = "", technique: str = "") -> Response:
    """The newest visible alerts, filtered by member and ATT&CK technique."""
    started = time.perf_counter()
    wanted = technique.strip().upper()[:16]
    if wanted and not TECHNIQUE.match(wanted):
        wanted = "T0000"  # names no technique: an empty list, not an error

    def build(session: Session) -> Response:
        found = reads.alerts(
            services(request),
            session.principal,
            SHOWN,
            lambda alert: not member or alert.org_id == member,
            wanted or None,
        )
        ctx = {
            "title": "Alerts",
            "alerts": found.rows,
            "member": member,
            "technique": wanted,
            "capped": found.capped,
            "scan_limit": reads.SCAN_LIMIT,
        }
        return page(request, "alerts.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/{seq}")
def alert_detail(request: Request, seq: int = Path(ge=1, le=2**63 - 1)) -> Response:
    """One alert with its event and observables, or "not found" whether absent or hidden."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        alert = services(request).alerts.get(session.principal, seq)
        ctx = {"title": f"Alert {seq}", "alert": alert}
        return page(request, "alert.html", session, ctx, started=started)

    return guarded(request, build)

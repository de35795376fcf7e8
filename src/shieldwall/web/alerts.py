"""Alerts: the newest alerts this person may see, by member and technique (the heat map's
cells and the campaign graph's techniques link here)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Path, Request, Response

from shieldwall.web import reads
from shieldwall.web.guard import guarded
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/alerts", include_in_schema=False)
SHOWN = 100
LIST_READ = 20_000
"""The list filters the newest this many alerts the person may see."""


@router.get("")
def alert_list(request: Request, member: str = "", technique: str = "") -> Response:
    """The newest visible alerts, filtered by member and ATT&CK technique."""
    started = time.perf_counter()
    wanted = technique.strip().upper()[:16]

    def build(session: Session) -> Response:
        found = reads.tallies(services(request), session.principal, reads.EPOCH, LIST_READ)
        kept = [
            tally
            for tally in found.rows
            if (not member or tally.org_id == member)
            and (not wanted or wanted in (t.upper() for t in tally.techniques))
        ]
        ctx = {
            "title": "Alerts",
            "alerts": kept[:SHOWN],
            "member": member,
            "technique": wanted,
            "capped": found.capped,
            "scan_limit": LIST_READ,
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
